/**
 * The worker of channel.ts: answers each `req` message with a `res` like a hello app's, over
 * batched `postMessage` (the pool's Outbox) or over a pair of shared-memory rings (lib/sab-ring.ts).
 */
import { type Batch, Outbox, unbatch } from "../../src/pool/shared/protocol.ts";
import { Ring } from "../lib/sab-ring.ts";

interface Request {
  t: "req";
  id: number;
}
const scope = globalThis as unknown as {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
};
const answer = (id: number) => ({
  t: "res",
  id,
  status: 200,
  headers: { "content-type": "text/plain" },
  body: "hello",
});

scope.onmessage = (
  event: MessageEvent<
    { mode: "post" } | { mode: "ring"; toWorker: SharedArrayBuffer; toMain: SharedArrayBuffer }
  >,
) => {
  const setup = event.data;
  if (setup.mode === "ring") {
    const out = new Ring(setup.toMain);
    new Ring(setup.toWorker).listen((message) => out.send(answer((message as Request).id)));
    scope.onmessage = () => {}; // keeps the worker alive: a pending waitAsync does not
    return;
  }
  const port = new Outbox({ postMessage: (batch: unknown) => scope.postMessage(batch) });
  scope.onmessage = (next: MessageEvent<Batch<Request>>) => {
    for (const message of unbatch(next.data)) port.postMessage(answer(message.id));
  };
};
