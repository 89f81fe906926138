import { BuntimeError, formatZodIssues, type LogLevel } from "@buntime/sdk";
import { z } from "zod";
import { LEVEL_RANK, type LogRecord } from "./log-record.ts";

/** What a query or a tail asks for; every field narrows the result. */
export interface LogFilter {
  /** The lowest level to include: `warn` keeps warn and error. */
  readonly level?: LogLevel;
  /** Lines of plugin `name`: namespace `plugin:<name>` (and below), or a `plugin` field naming it. */
  readonly plugin?: string;
  /** Lines whose namespace is this or below it (`kernel` matches `kernel:pool`). */
  readonly namespace?: string;
  /** Lines about app `name`: an `app` field of `name` or `name@version`, or an access line under `/name`. */
  readonly app?: string;
  /** Case-insensitive text searched in the message and the fields. */
  readonly text?: string;
  /** Lines at or after this time (epoch ms). */
  readonly since?: number;
  /** Lines at or before this time (epoch ms). */
  readonly until?: number;
  /** Lines recorded after sequence number `after`. */
  readonly after?: number;
}

const timeSchema = z.string().transform((value, ctx) => {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: "custom", message: "expected an ISO time or epoch milliseconds" });
    return z.NEVER;
  }
  return ms;
});

/** The query string of `GET <base>/api/logs` and `GET <base>/api/tail`. */
export const logQuerySchema = z
  .object({
    level: z.enum(["debug", "info", "warn", "error"]).optional(),
    plugin: z.string().min(1).optional(),
    namespace: z.string().min(1).optional(),
    app: z.string().min(1).optional(),
    q: z.string().min(1).optional(),
    since: timeSchema.optional(),
    until: timeSchema.optional(),
    after: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).optional(),
    /** Whose lines: `all` nodes of the cluster, or one node by name; this node's when absent. */
    node: z.string().min(1).max(128).optional(),
  })
  .strict();

/** A parsed query: the filter, how many lines to return and from which nodes. */
export interface ParsedLogQuery {
  readonly filter: LogFilter;
  readonly limit?: number;
  /** `all`, a node's name, or undefined for this node. */
  readonly node?: string;
}

/** A query the schema refused, as the error the API answers: `BUNTIME_ERR_LOGS_QUERY_INVALID` naming the parameter. */
export function queryInvalid(error: z.ZodError): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_LOGS_QUERY_INVALID", { details: formatZodIssues(error) });
}

/**
 * A query the schema accepted as a filter; throws `BUNTIME_ERR_LOGS_QUERY_INVALID` for what the
 * parameters cannot mean together (a sequence number with `node`).
 */
export function toLogQuery(query: z.output<typeof logQuerySchema>): ParsedLogQuery {
  const { q, limit, node, ...rest } = query;
  if (node !== undefined && rest.after !== undefined) {
    // sequence numbers count per node: "after 40" means nothing across nodes
    throw new BuntimeError("BUNTIME_ERR_LOGS_QUERY_INVALID", {
      details: "after: a sequence number is one node's; use since with node",
    });
  }
  return { filter: { ...rest, text: q }, limit, node };
}

function underNamespace(namespace: string, prefix: string): boolean {
  return namespace === prefix || (namespace.startsWith(prefix) && namespace.charCodeAt(prefix.length) === 58);
}

function aboutApp(record: LogRecord, app: string): boolean {
  const fields = record.entry.fields;
  if (!fields) return false;
  const named = fields.app;
  if (typeof named === "string" && (named === app || named.startsWith(`${app}@`))) return true;
  return fields.route === `/${app}`;
}

function mentions(record: LogRecord, text: string, json: (record: LogRecord) => string): boolean {
  if (record.entry.message.toLowerCase().includes(text)) return true;
  return record.entry.fields !== undefined && json(record).toLowerCase().includes(text);
}

/** True when `record` passes every condition of `filter`. */
export function matches(record: LogRecord, filter: LogFilter, json: (record: LogRecord) => string): boolean {
  // seq, rank, time and namespace first: they need no entry (an access line builds its entry when first read)
  if (filter.after !== undefined && record.seq <= filter.after) return false;
  if (filter.level !== undefined && record.rank < LEVEL_RANK[filter.level]) return false;
  if (filter.since !== undefined && record.ms < filter.since) return false;
  if (filter.until !== undefined && record.ms > filter.until) return false;
  if (filter.namespace !== undefined && !underNamespace(record.namespace, filter.namespace)) return false;
  if (
    filter.plugin !== undefined &&
    !underNamespace(record.namespace, `plugin:${filter.plugin}`) &&
    record.entry.fields?.plugin !== filter.plugin
  ) {
    return false;
  }
  if (filter.app !== undefined && !aboutApp(record, filter.app)) return false;
  if (filter.text !== undefined && !mentions(record, filter.text, json)) return false;
  return true;
}
