import { BuntimeError } from "@buntime/sdk";
import { Hono } from "hono";
import { parseLogQuery } from "./log-filter.ts";
import type { LogStore } from "./log-store.ts";
import { openTail, type TailOptions } from "./sse-tail.ts";

/** What the HTTP side of the logs plugin reads. */
export interface LogsRoutesOptions {
  readonly base: string;
  readonly store: LogStore;
  readonly tail: TailOptions;
}

/**
 * The logs plugin's HTTP API under its base: `api/logs` (query), `api/tail` (SSE) and the UI.
 * Requests it has no route for resolve to `undefined`, so the kernel lets other handlers try.
 */
export function createLogsRoutes(
  options: LogsRoutesOptions,
): (request: Request) => Promise<Response | undefined> {
  const { store } = options;
  const declined = new Response(null, { status: 404 });
  const app = new Hono().basePath(options.base);

  app.get("/", (c) => c.redirect(`${options.base}/`, 301));
  app.get("/api/logs", (c) => {
    const { filter, limit } = parseLogQuery(c.req.query());
    const result = store.query(filter, Math.min(limit ?? 100, store.capacity));
    return c.json({ ...result, capacity: store.capacity, recorded: store.recorded });
  });
  app.get("/api/tail", (c) => {
    const params = c.req.query();
    const lastEventId = c.req.header("last-event-id");
    if (lastEventId !== undefined && params.after === undefined && /^\d+$/.test(lastEventId)) {
      params.after = lastEventId;
    }
    const { filter } = parseLogQuery(params);
    return openTail(store, filter, c.req.raw.signal, options.tail);
  });

  app.onError((error) => {
    if (error instanceof BuntimeError) return error.getResponse();
    throw error;
  });
  app.notFound(() => declined);
  return async (request) => {
    const response = await app.fetch(request);
    return response === declined ? undefined : response;
  };
}
