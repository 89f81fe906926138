/** The structured logger every plugin gets as `ctx.logger`. */

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Extra structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** A namespaced logger (`kernel:pool`, `plugin:auth`, …). */
export interface Logger {
  readonly namespace: string;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger for a sub-namespace, e.g. `kernel` → `kernel:pool`. */
  child(name: string): Logger;
}

/** One structured log line, as the kernel's log feed hands it out. */
export interface LogEntry {
  readonly time: string;
  readonly level: LogLevel;
  /** Who spoke: `kernel`, `kernel:pool`, `plugin:auth`, … */
  readonly namespace: string;
  readonly message: string;
  readonly fields?: LogFields;
}

/** The kernel-provided service `kernel:logs`: every log line of the kernel and its plugins. */
export interface LogFeed {
  /** Calls `listener` with each line from now on; the returned function unsubscribes. */
  subscribe(listener: (entry: LogEntry) => void): () => void;
}
