/**
 * Runs inside a worker, before the app loads: wraps the global `Response` so the worker knows
 * which responses were built from a body that is already complete (a string, bytes, a Blob,
 * JSON). Those go back to the pool as one message via `arrayBuffer()`; any other body (a
 * ReadableStream, a proxied `fetch` response) is streamed, or probed first.
 */

const complete = new WeakSet<Response>();

function isComplete(body: unknown): boolean {
  return (
    body === null ||
    body === undefined ||
    typeof body === "string" ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof Blob ||
    body instanceof URLSearchParams ||
    body instanceof FormData
  );
}

/** Replaces `globalThis.Response` with a subclass that remembers complete bodies. */
export function trackCompleteBodies(): void {
  const Native = globalThis.Response;
  class Response extends Native {
    constructor(body?: BodyInit | null, init?: ResponseInit) {
      super(body, init);
      if (isComplete(body)) complete.add(this);
    }

    static override json(data: unknown, init?: ResponseInit): Response {
      const response = Native.json(data, init);
      complete.add(response);
      return response;
    }

    static override redirect(url: string | URL, status?: number): Response {
      const response = Native.redirect(url, status);
      complete.add(response);
      return response;
    }
  }
  globalThis.Response = Response as typeof globalThis.Response;
}

/** True when `response` was built from a body that is already complete. */
export function hasCompleteBody(response: Response): boolean {
  return complete.has(response);
}
