/**
 * Runs inside a worker, before the app loads: wraps the global `Response` so the worker knows
 * which responses were built from a body that is already complete (a string, bytes, a Blob,
 * JSON). Those go back to the pool as one message via `arrayBuffer()`; any other body (a
 * ReadableStream, a proxied `fetch` response) is streamed, or probed first.
 */
import type { ReadResult } from "../shared/stream-channel.ts";

/** Responses with a complete body, mapped to the body when it is a string (sent as is), else to null. */
const complete = new WeakMap<Response, string | null>();

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
      if (isComplete(body)) complete.set(this, typeof body === "string" ? body : null);
    }

    static override json(data: unknown, init?: ResponseInit): Response {
      const response = Native.json(data, init);
      complete.set(response, null);
      return response;
    }

    static override redirect(url: string | URL, status?: number): Response {
      const response = Native.redirect(url, status);
      complete.set(response, null);
      return response;
    }
  }
  globalThis.Response = Response as typeof globalThis.Response;
}

/** True when `response` was built from a body that is already complete. */
export function hasCompleteBody(response: Response): boolean {
  return complete.has(response);
}

/** The body of `response` when it was built from a string: it can cross as is, unread. */
export function stringBody(response: Response): string | undefined {
  return complete.get(response) ?? undefined;
}

/** True for the statuses whose responses have no body (101, 103, 204, 205, 304). */
export function nullBody(status: number): boolean {
  return status === 204 || status === 304 || status === 101 || status === 205 || status === 103;
}

/**
 * The probe of a streamed body: given the read of the chunk after the first, true when it
 * settles within a few microtasks as the end (the body was already complete: one message).
 */
export async function bodyIsComplete(next: Promise<ReadResult>): Promise<boolean> {
  let complete = false;
  next.then(
    (result) => {
      complete = result.done;
    },
    () => {},
  );
  for (let i = 0; i < 3; i++) await undefined;
  return complete;
}
