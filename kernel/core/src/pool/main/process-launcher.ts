/**
 * The `process` tier: each worker is a child process in a sandbox of its own (see
 * `../sandbox`), which sees only the app's folder (read-only, as `/app`), its data folder
 * (`/data`), a private `/tmp` and the process script; it has no network but the kernel's
 * egress proxy, which lets through only the hosts the app declared.
 */
import type { Carrier, Launcher } from "./carrier.ts";
import { entryInside, kernelHost, type SandboxHost } from "./sandbox-host.ts";
import { processScript } from "./worker-script.ts";

/** Creates the launcher of one-app sandboxes. */
export function processLauncher(sandboxes: SandboxHost): Launcher {
  let spawned = 0;
  return {
    tier: "process",
    async prepare() {
      await Promise.all([sandboxes.prepare(), processScript()]);
    },
    async launch(spec, events) {
      const script = await processScript();
      const entry = entryInside(spec, "/app");
      const child = await sandboxes.start({
        name: `${spec.key}#${++spawned}`,
        appDir: spec.dir as string,
        dataName: spec.plugin ? `plugin-${spec.name}` : spec.name,
        script,
        env: spec.env,
        app: spec.key,
        hosts: spec.network,
        alwaysAllow: kernelHost(spec),
        memory: spec.maxMemory,
        onMessage: (message) => events.message(message as Parameters<typeof events.message>[0]),
        onExit: (how, limit) => events.exit(how, limit),
      });
      const carrier: Carrier = {
        entry,
        dataDir: "/data",
        killableWhileLoading: true,
        // IPC clones what it sends (buffers included), so nothing is transferred
        postMessage: (message) => child.send(message),
        terminate: () => child.kill(),
      };
      return carrier;
    },
  };
}
