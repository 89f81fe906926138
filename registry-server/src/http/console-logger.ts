import { hostname } from "node:os";
import { jsonLogLine, type LogFields, type Logger, type LogLevel } from "@buntime/sdk";

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
    const entry = { time: new Date().toISOString(), level, namespace, message, fields };
    console.error(jsonLogLine(entry, node));
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
