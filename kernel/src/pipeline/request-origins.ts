/**
 * Remembers, for a request an `onRequest` hook put in place of another, the request the server
 * received: what only the original carries (the connection's address, the right to upgrade it
 * to a WebSocket) stays reachable from the copy the plugins see.
 */
export class RequestOrigins {
  readonly #received = new WeakMap<Request, Request>();

  /** Records that `replacement` stands for `replaced` (itself possibly a replacement). */
  replaced(replaced: Request, replacement: Request): void {
    this.#received.set(replacement, this.#received.get(replaced) ?? replaced);
  }

  /** The request the server received for `request`. */
  receivedFor(request: Request): Request {
    return this.#received.get(request) ?? request;
  }
}
