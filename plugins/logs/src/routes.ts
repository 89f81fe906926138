import { BuntimeError, type PluginRoutes, type RequestContext } from "@buntime/sdk";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { type ClusterReadOptions, readCluster } from "./cluster-read.ts";
import { type ParsedLogQuery, toLogQuery } from "./log-filter.ts";
import type { LogStore } from "./log-store.ts";
import { peerGuard } from "./peer-token.ts";
import { logQuery, logsDescriptions } from "./route-descriptions.ts";
import { openTail, type TailOptions } from "./sse-tail.ts";

/** What the HTTP side of the logs plugin reads. */
export interface LogsRoutesOptions {
  /** Where the kernel mounts the routes: the bare base redirects to `<base>/`, the UI page. */
  readonly base: string;
  readonly store: LogStore;
  readonly tail: TailOptions;
  /** Reading other nodes' lines (`?node=`); `token` also opens `peer/logs` to them. */
  readonly cluster: Omit<ClusterReadOptions, "base" | "local">;
}

/** This node's answer to `query`: its matching lines, and how many it recorded and keeps. */
function localAnswer(store: LogStore, { filter, limit }: ParsedLogQuery) {
  const result = store.query(filter, Math.min(limit ?? 100, store.capacity));
  return { ...result, capacity: store.capacity, recorded: store.recorded };
}

/**
 * The logs plugin's HTTP API, mounted at its base: `api/logs` (query; `?node=all` reads every
 * node of the cluster), `api/tail` (SSE) and, with a cluster token, `peer/logs` (this node's
 * lines for the other nodes). Paths it has no route for fall through to the kernel, which serves
 * the UI folder there. The query of each is checked by `logQuery` (route-descriptions.ts).
 */
export function createLogsRoutes(options: LogsRoutesOptions): PluginRoutes {
  const { store, cluster } = options;
  const app = new Hono<{ Bindings: RequestContext }>();

  app.get("/", (c) => c.redirect(`${options.base}/`, 301));
  app.get("/api/logs", logsDescriptions.query, logQuery, async (c) => {
    const parsed = toLogQuery(c.req.valid("query"));
    if (parsed.node === undefined) return c.json(localAnswer(store, parsed));
    const query = new URLSearchParams(c.req.query());
    query.delete("node");
    const limit = Math.min(parsed.limit ?? 100, store.capacity);
    query.set("limit", String(limit));
    const result = await readCluster(parsed.node, query, limit, {
      ...cluster,
      base: options.base,
      local: () => localAnswer(store, parsed),
    });
    return c.json(result);
  });
  if (cluster.token !== undefined) {
    // never open: without a token there is no such route at all
    const guard = peerGuard(cluster.token);
    // the token is checked before the query: a caller without it learns nothing from a 400
    const peerOnly = createMiddleware(async (c, next) => guard(c.req.raw) ?? (await next()));
    app.get("/peer/logs", logsDescriptions.peer, peerOnly, logQuery, (c) => {
      const parsed = toLogQuery(c.req.valid("query"));
      if (parsed.node !== undefined) {
        throw new BuntimeError("BUNTIME_ERR_LOGS_QUERY_INVALID", {
          details: "node: a peer answers for itself",
        });
      }
      return c.json(localAnswer(store, parsed));
    });
  }
  app.get("/api/tail", logsDescriptions.tail, logQuery, (c) => {
    const query = c.req.valid("query");
    const lastEventId = c.req.header("last-event-id");
    // a reconnecting EventSource says where it stopped; an explicit after wins
    const after =
      query.after ??
      (lastEventId !== undefined && /^\d+$/.test(lastEventId) ? Number(lastEventId) : undefined);
    const { filter, node } = toLogQuery({ ...query, after });
    if (node !== undefined) {
      throw new BuntimeError("BUNTIME_ERR_LOGS_QUERY_INVALID", {
        details: "node: the live tail follows this node; read every node with api/logs?node=all",
      });
    }
    return openTail(store, filter, c.req.raw.signal, options.tail);
  });

  app.onError((error) => {
    if (error instanceof BuntimeError) return error.getResponse();
    throw error;
  });
  return app;
}
