/** @buntime/test-kit/logger: a logger for code under test whose log lines a test does not read. */
import type { Logger } from "@buntime/sdk";

/** A logger that drops every line, its children too. */
export function silentLogger(namespace = "test"): Logger {
  const logger: Logger = {
    namespace,
    debug() {},
    info() {},
    warn() {},
    error() {},
    child: () => logger,
  };
  return logger;
}
