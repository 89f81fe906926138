/**
 * The script a process-tier worker runs inside its sandbox: the app's folder is `/app`, its
 * data `/data`, and messages travel over the IPC channel Bun opened for the process. No
 * guards are installed: here `process.abort()`, `kill` or `chdir` act on this sandboxed
 * process alone, which is the point of the tier.
 */
import { existsSync } from "node:fs";
import { setUpSandboxEgress } from "../egress/sandbox-setup.ts";
import type { Batch, FromWorker, ToWorker } from "../shared/protocol.ts";
import { runWorker } from "./worker-runtime.ts";

/** Where the sandbox binds the kernel's egress proxy (the launcher's EGRESS_SOCKET). */
const EGRESS_SOCKET = "/run/buntime/egress.sock";

/** Longest an exit waits for messages still on their way to the pool. */
const EXIT_FLUSH_MS = 1000;

type Send = (message: unknown, handle?: undefined, options?: undefined, callback?: () => void) => boolean;
const send = process.send?.bind(process) as Send | undefined;
if (send === undefined) throw new Error("process-entry.ts runs only as a pool child with an IPC channel");

try {
  process.chdir("/app");
} catch {
  // outside a sandbox (a test of this script alone) the folder may not exist
}

/**
 * The app's only way out: its HTTP clients go through a loopback forwarder to the kernel's
 * egress proxy. Messages wait for it, so the app never loads before the forwarder listens.
 */
const egressReady: Promise<void> = existsSync(EGRESS_SOCKET)
  ? setUpSandboxEgress(EGRESS_SOCKET).then(
      () => {},
      (error: unknown) => {
        // without the forwarder the app simply has no way out: report it and carry on
        console.error(`buntime: the egress forwarder did not start: ${String(error)}`);
      },
    )
  : Promise.resolve();
let egressUp = false;
void egressReady.then(() => {
  egressUp = true;
});

runWorker({
  postMessage(batch: Batch<FromWorker>) {
    send(batch);
  },
  listen(receive) {
    process.on("message", (batch) => {
      if (egressUp) receive(batch as Batch<ToWorker>);
      else void egressReady.then(() => receive(batch as Batch<ToWorker>));
    });
  },
  exit(code) {
    // a message still queued in the channel would be lost by exiting at once; the channel keeps
    // order, so once an empty batch sent last has left, everything before it has too
    const leave = () => process.exit(code);
    send("[]", undefined, undefined, leave);
    setTimeout(leave, EXIT_FLUSH_MS).unref();
  },
});
