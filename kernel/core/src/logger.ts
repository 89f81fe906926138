import { hostname } from "node:os";
import {
  jsonLogLine,
  type LogEntry,
  type LogFeed,
  type LogFields,
  type Logger,
  type LogLevel,
  serializeLogFields,
} from "@buntime/sdk";
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

/** Writes log lines to stderr, for people (`pretty`) or machines (`json`, see `jsonLogLine`). */
export function stderrSink(format: "pretty" | "json", node: string = hostname()): LogSink {
  return (entry) => {
    if (format === "json") {
      process.stderr.write(`${jsonLogLine(entry, node)}\n`);
      return;
    }
    const fields = entry.fields ? serializeLogFields(entry.fields) : undefined;
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
