/**
 * The script a tenant group's sandbox runs: one process for apps that trust each other, each
 * app in a Bun worker of its own (its own heap, modules and env, as in the thread tier), all
 * behind the one sandbox. It relays each worker's messages to the pool over IPC, tagged with
 * the worker's channel.
 */
import { existsSync } from "node:fs";
import { setUpSandboxEgress } from "../egress/sandbox-setup.ts";
import type { FromGroup, ToGroup } from "../shared/group-protocol.ts";

const EGRESS_SOCKET = "/run/buntime/egress.sock";

const send = process.send?.bind(process) as ((message: FromGroup) => boolean) | undefined;
if (send === undefined) throw new Error("group-entry.ts runs only as a pool child with an IPC channel");

const workers = new Map<number, Worker>();

function open(w: number, script: string, env: Record<string, string>): void {
  const worker = new Worker(script, { env });
  workers.set(w, worker);
  worker.onmessage = (event: MessageEvent) => send?.({ w, b: event.data });
  worker.addEventListener("error", (event: ErrorEvent) =>
    send?.({ w, error: event.message || "uncaught error" }),
  );
  worker.addEventListener("close", (event: Event) => {
    workers.delete(w);
    const code = (event as CloseEvent).code;
    send?.({ w, exit: code !== undefined && code !== 0 ? `it exited with code ${code}` : undefined });
  });
}

function receive(message: ToGroup): void {
  if ("open" in message) open(message.w, message.open.script, message.open.env);
  else if ("b" in message) workers.get(message.w)?.postMessage(message.b);
  else workers.get(message.w)?.terminate();
}

// the apps' HTTP clients reach the forwarder on this sandbox's loopback, as in a process of one app
const egressReady = existsSync(EGRESS_SOCKET)
  ? setUpSandboxEgress(EGRESS_SOCKET).then(
      () => {},
      (error: unknown) => console.error(`buntime: the egress forwarder did not start: ${String(error)}`),
    )
  : Promise.resolve();
process.on("message", (message) => {
  void egressReady.then(() => receive(message as ToGroup));
});
