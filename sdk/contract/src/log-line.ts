/**
 * The one JSON log line shape of Buntime (docs/observability.md), written by the kernel for
 * itself, plugins and apps, and by a registry run on its own: here so both write it with the
 * same code.
 */
import type { LogEntry, LogFields } from "./logger.ts";

/** An error as a log line carries it: name, message, stack, and its code when it has one. */
function serializeLogError(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === "string" && { code }),
    stack: error.stack,
  };
}

export function serializeLogFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? serializeLogError(value) : value;
  }
  return out;
}

/** Field names every JSON line of Buntime uses at its top level, in this order. */
const JSON_LOG_KEYS = [
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
      if (value instanceof Error) line.error ??= serializeLogError(value);
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
    } else line[key] = value instanceof Error ? serializeLogError(value) : value;
  }
  if (clashes !== undefined) line.fields = clashes;
  return JSON.stringify(line);
}
