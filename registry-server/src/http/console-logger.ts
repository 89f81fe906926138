import type { LogFields, Logger, LogLevel } from "@buntime/sdk";

/** A Logger writing one JSON line per entry to stderr, for a registry run without a host logger. */
export function createConsoleLogger(namespace = "registry"): Logger {
  const write = (level: LogLevel, message: string, fields?: LogFields) => {
    console.error(
      JSON.stringify({ time: new Date().toISOString(), level, ns: namespace, message, ...fields }),
    );
  };
  return {
    namespace,
    debug: () => {},
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (name) => createConsoleLogger(`${namespace}:${name}`),
  };
}
