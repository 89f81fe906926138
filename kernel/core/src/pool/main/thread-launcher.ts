/** The `thread` tier: each worker is a Bun worker in the kernel's own process. */
import type { Carrier, Launcher } from "./carrier.ts";
import { workerScript } from "./worker-script.ts";

/** Launches Bun workers from the private, hash-checked worker script. */
export const threadLauncher: Launcher = {
  tier: "thread",
  async prepare() {
    await workerScript(); // bundled once, outside the gate
  },
  async launch(spec, events) {
    // checked again right before the spawn, so what was verified is what the worker loads
    const worker = new Worker(await workerScript(), { env: { ...spec.env } });
    worker.onmessage = (event: MessageEvent) => events.message(event.data);
    worker.addEventListener("error", (event: ErrorEvent) => events.error(event.message || "uncaught error"));
    worker.addEventListener("close", (event: Event) => {
      const code = (event as CloseEvent).code;
      events.exit(code !== undefined && code !== 0 ? `it exited with code ${code}` : undefined);
    });
    const carrier: Carrier = {
      entry: spec.entry,
      dataDir: spec.plugin?.dataDir,
      killableWhileLoading: false,
      postMessage: (message, transfer) => worker.postMessage(message, transfer ?? []),
      terminate: () => worker.terminate(),
    };
    return carrier;
  },
};
