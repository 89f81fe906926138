import { BuntimeError, type PluginRoutes, type RequestContext } from "@buntime/sdk";
import { Hono } from "hono";
import { parseLogQuery } from "./log-filter.ts";
import type { LogStore } from "./log-store.ts";
import { openTail, type TailOptions } from "./sse-tail.ts";

/** What the HTTP side of the logs plugin reads. */
export interface LogsRoutesOptions {
  /** Where the kernel mounts the routes: the bare base redirects to `<base>/`, the UI page. */
  readonly base: string;
  readonly store: LogStore;
  readonly tail: TailOptions;
}

/**
 * The logs plugin's HTTP API, mounted at its base: `api/logs` (query) and `api/tail` (SSE).
 * Paths it has no route for fall through to the kernel, which serves the UI folder there.
 */
export function createLogsRoutes(options: LogsRoutesOptions): PluginRoutes {
  const { store } = options;
  const app = new Hono<{ Bindings: RequestContext }>();

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
  return app;
}
