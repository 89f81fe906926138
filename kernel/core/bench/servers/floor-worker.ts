/**
 * The least a pool worker must do per request, speaking the pool's message format: for
 * bench/worker-cold.ts (`--variant "floor=kernel/core/bench/servers/floor-worker.ts"`). It loads
 * the entry of `init`, and for each `req` builds a Request, calls the app, reads the body with
 * `text()` and posts the answer as JSON text; no abort signal, no labels, no memory reports,
 * no streaming. What the pool's worker costs beyond it is its runtime's own code.
 */
interface Message {
  t: string;
  id: number;
  entry: string;
  url: string;
  method: string;
  headers: Record<string, string>;
}

const scope = globalThis as unknown as Worker;
let app: { fetch(request: Request): Response | Promise<Response> } | undefined;

scope.onmessage = async (event: MessageEvent<string>) => {
  for (const message of JSON.parse(event.data) as Message[]) {
    if (message.t === "init") {
      app = ((await import(message.entry)) as { default: typeof app }).default;
      scope.postMessage(JSON.stringify([{ t: "ready", websocket: false }]));
    } else if (message.t === "req" && app !== undefined) {
      const { id, url, method, headers } = message;
      const response = await app.fetch(new Request(url, { method, headers }));
      const body = await response.text();
      const answer = { t: "res", id, status: response.status, headers: response.headers.toJSON(), body };
      scope.postMessage(JSON.stringify([{ ...answer, streamed: false }]));
    }
  }
};

export {};
