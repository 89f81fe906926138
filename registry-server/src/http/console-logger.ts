import { hostname } from "node:os";
import type { LogFields, Logger, LogLevel } from "@buntime/sdk";

/** An error as a log line carries it: name, message, stack, and its code when it has one. */
function errorOf(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === "string" && { code }),
    stack: error.stack,
  };
}

/** The top-level keys a line's own fields may not take over (they stay under `fields`). */
const FIXED = new Set(["time", "level", "msg", "node", "ns"]);

/**
 * A Logger writing one JSON line per entry to stderr, for a registry run without a host logger.
 * The lines have the kernel's JSON shape (docs/observability.md): `time`, `level`, `msg`,
 * `node` (`BUNTIME_NODE`, else the host name), `ns`, then `requestId`, `code`, `error` and the
 * other fields as the caller gave them.
 */
export function createConsoleLogger(
  namespace = "registry",
  node = process.env.BUNTIME_NODE || hostname(),
): Logger {
  const write = (level: LogLevel, message: string, fields?: LogFields) => {
    const line: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      msg: message,
      node,
      ns: namespace,
    };
    let clashes: LogFields | undefined;
    for (const [key, value] of Object.entries(fields ?? {})) {
      if (value === undefined) continue;
      const shown = value instanceof Error ? errorOf(value) : value;
      if (FIXED.has(key)) {
        clashes ??= {};
        clashes[key] = shown;
      } else if (key === "cause") line.error ??= shown;
      else line[key] = shown;
    }
    if (clashes !== undefined) line.fields = clashes;
    console.error(JSON.stringify(line));
  };
  return {
    namespace,
    debug: () => {},
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (name) => createConsoleLogger(`${namespace}:${name}`, node),
  };
}
