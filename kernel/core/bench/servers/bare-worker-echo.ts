/** The worker of servers/bare-workers.ts: answers each `{ id }` with `hello`. */
const scope = globalThis as unknown as Worker;
scope.onmessage = (event: MessageEvent<{ id: number }>) => {
  scope.postMessage({ id: event.data.id, body: "hello" });
};
