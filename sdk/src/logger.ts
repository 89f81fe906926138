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
