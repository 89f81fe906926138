/**
 * @buntime/plugin-logs: keeps the kernel's and the plugins' log lines, plus one access line per
 * request, in a bounded ring buffer, and serves them as a query API, a live SSE tail and a UI
 * page at its base. Other plugins reach the buffer through the `logs` service.
 */
import { hostname } from "node:os";
import { definePlugin, type LogEntry, schemaReferenceSchema } from "@buntime/sdk";
import { z } from "zod";
import { createAccessLog } from "./access-log.ts";
import { LogStore, type LogsService } from "./log-store.ts";
import { createLogsRoutes } from "./routes.ts";

export { ACCESS_NAMESPACE } from "./access-log.ts";
export type { ClusterLogResult, NodeAnswer } from "./cluster-read.ts";
export type { LogFilter } from "./log-filter.ts";
export { logQuerySchema } from "./log-filter.ts";
export type { StoredLogEntry } from "./log-record.ts";
export type { LogListener, LogQueryResult, LogsService } from "./log-store.ts";

declare module "@buntime/sdk" {
  interface Services {
    logs: LogsService;
  }
}

/** Settings of the logs plugin; all optional. */
export const logsConfigSchema = z
  .object({
    $schema: schemaReferenceSchema,
    /** Lines kept; the oldest are forgotten first. @default 5000 */
    capacity: z.number().int().min(10).max(1_000_000).default(5000),
    /** One `http` line per request (method, path, status, duration). @default true */
    accessLog: z.boolean().default(true),
    /** Live tails open at once. @default 64 */
    maxTails: z.number().int().min(1).max(10_000).default(64),
    /**
     * Milliseconds between keep-alive comments on a quiet tail. Keep it under the server's idle
     * timeout (Bun's default is 10 s) and any proxy's. @default 5000
     */
    tailHeartbeat: z.number().int().min(100).max(60_000).default(5000),
    /** Events a tail's client may leave unread before the tail is closed (it reconnects and catches up). @default 1000 */
    tailBacklog: z.number().int().min(1).max(100_000).default(1000),
    /** The `node` of every line. @default the kernel's node name (`cluster.node`, `BUNTIME_NODE`, else the host name) */
    node: z.string().min(1).max(128).optional(),
    /** Reading every node's lines (`api/logs?node=all`); off without it. */
    cluster: z
      .object({
        /**
         * The secret every node's logs plugin shares: a node sends it to read another's lines.
         * At least 32 characters (`openssl rand -hex 32`).
         */
        token: z.string().min(32).max(512),
        /** Milliseconds a node is waited for before it is listed as missing. @default 3000 */
        timeout: z.number().int().min(100).max(60_000).default(3000),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The settings after defaults. */
export type ResolvedLogsConfig = z.output<typeof logsConfigSchema>;

/** The logs plugin: all its state (buffer, open tails, feed subscription) lives in `setup`'s closure. */
export default definePlugin({
  config: logsConfigSchema,
  setup(ctx) {
    const base = ctx.base ?? "/logs";
    const kernelCluster = ctx.services.has("kernel:cluster") ? ctx.services.get("kernel:cluster") : undefined;
    const node = ctx.config.node ?? kernelCluster?.node ?? (process.env.BUNTIME_NODE || hostname());
    const store = new LogStore(ctx.config.capacity, node);
    const record = (entry: LogEntry, ms?: number) => store.record(entry, ms);
    const unsubscribe = ctx.services.has("kernel:logs")
      ? ctx.services.get("kernel:logs").subscribe(record)
      : undefined;
    if (!unsubscribe) ctx.logger.warn("no kernel:logs feed; keeping access lines and recorded lines only");
    ctx.services.provide("logs", store);
    const tails = new Set<() => void>();
    return {
      ...(ctx.config.accessLog ? createAccessLog(store, base) : {}),
      routes: createLogsRoutes({
        base,
        store,
        tail: {
          maxTails: ctx.config.maxTails,
          heartbeatMs: ctx.config.tailHeartbeat,
          maxBacklog: ctx.config.tailBacklog,
          open: tails,
        },
        cluster: {
          self: node,
          token: ctx.config.cluster?.token,
          timeoutMs: ctx.config.cluster?.timeout ?? 3000,
          // every node with the address it recorded; undefined on a single kernel
          peers: async () => {
            const view = await kernelCluster?.view();
            return view?.cluster ? view.nodes : undefined;
          },
        },
      }),
      onShutdown() {
        unsubscribe?.();
        for (const close of [...tails]) close();
      },
    };
  },
});
