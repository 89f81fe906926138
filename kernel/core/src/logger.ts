import { hostname } from "node:os";
import type { LogEntry, LogFeed, LogFields, Logger, LogLevel } from "@buntime/sdk";
import { createFeed } from "./services/feed.ts";

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type { LogEntry };

/** Where log lines go; the default writes to stderr. */
export type LogSink = (entry: LogEntry) => void;

export interface LoggerOptions {
  /** Lines below this level are dropped. @default "info" */
  level?: LogLevel;
  /** `pretty` for people, `json` for one JSON object per line. @default "pretty" */
  format?: "pretty" | "json";
  /** Receives every line at or above `level` instead of stderr. */
  sink?: LogSink;
}

/** An error as a log line carries it: name, message, stack, and its code when it has one. */
function serializeError(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === "string" && { code }),
    stack: error.stack,
  };
}

function serializeFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? serializeError(value) : value;
  }
  return out;
}

/** Field names every JSON line of Buntime uses at its top level, in this order. */
export const JSON_LOG_KEYS = [
  "time",
  "level",
  "msg",
  "node",
  "ns",
  "plugin",
  "app",
  "requestId",
  "traceId",
  "code",
  "error",
] as const;

/**
 * One JSON log line, the shape shared by the kernel, plugins, workers' apps and the registry:
 * `time`, `level`, `msg`, `node`, `ns` (who spoke), then when known `plugin`, `app`,
 * `requestId`, `traceId`, `code` (a `BUNTIME_ERR_*`) and `error` ({ name, message, code?, stack }),
 * then the line's other fields. A field named like one of those keys is kept under `fields`.
 */
export function jsonLogLine(entry: LogEntry, node: string): string {
  const line: Record<string, unknown> = {
    time: entry.time,
    level: entry.level,
    msg: entry.message,
    node,
    ns: entry.namespace,
  };
  if (entry.namespace.startsWith("plugin:")) line.plugin = entry.namespace.slice(7);
  else if (entry.namespace.startsWith("app:")) line.app = entry.namespace.slice(4);
  let clashes: LogFields | undefined;
  for (const [key, value] of Object.entries(entry.fields ?? {})) {
    if (value === undefined) continue;
    if (key === "error" || key === "cause") {
      if (value instanceof Error) line.error ??= serializeError(value);
      else line.error ??= value;
      continue;
    }
    const known = (JSON_LOG_KEYS as readonly string[]).includes(key);
    if (
      known &&
      key !== "plugin" &&
      key !== "app" &&
      key !== "requestId" &&
      key !== "traceId" &&
      key !== "code"
    ) {
      clashes ??= {};
      clashes[key] = value;
    } else line[key] = value instanceof Error ? serializeError(value) : value;
  }
  if (clashes !== undefined) line.fields = clashes;
  return JSON.stringify(line);
}

/** Writes log lines to stderr, for people (`pretty`) or machines (`json`, see `jsonLogLine`). */
export function stderrSink(format: "pretty" | "json", node: string = hostname()): LogSink {
  return (entry) => {
    if (format === "json") {
      process.stderr.write(`${jsonLogLine(entry, node)}\n`);
      return;
    }
    const fields = entry.fields ? serializeFields(entry.fields) : undefined;
    const line = `${entry.time} ${entry.level.toUpperCase().padEnd(5)} [${entry.namespace}] ${entry.message}${
      fields ? ` ${JSON.stringify(fields)}` : ""
    }`;
    process.stderr.write(`${line}\n`);
  };
}

/**
 * Creates the root logger. Namespaces nest with `child`: `kernel` → `kernel:pool`.
 *
 * @example
 * const log = createLogger({ level: "debug" }).child("plugin:auth");
 * log.info("ready", { users: 3 });
 */
export function createLogger(options: LoggerOptions = {}, namespace = "kernel"): Logger {
  const threshold = LEVEL_RANK[options.level ?? "info"];
  const sink = options.sink ?? stderrSink(options.format ?? "pretty");
  const emit = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (LEVEL_RANK[level] < threshold) return;
    sink({ time: new Date().toISOString(), level, namespace, message, fields });
  };
  return {
    namespace,
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    child: (name) => createLogger({ ...options, sink }, name.includes(":") ? name : `${namespace}:${name}`),
  };
}

/** The `kernel:logs` feed: a sink that hands each line to every subscriber. */
export function createLogFeed(): LogFeed & { readonly sink: LogSink } {
  const feed = createFeed<LogEntry>();
  return { subscribe: feed.subscribe, sink: feed.emit };
}

/** The name of this node in logs, metrics and spans: `cluster.node` when set, else the host name. */
export function nodeName(clusterNode: string | undefined): string {
  return clusterNode ?? hostname();
}
