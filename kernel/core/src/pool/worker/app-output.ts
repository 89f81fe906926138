/**
 * What an app writes and throws, sent to the pool rather than lost: every `console.*` call and
 * every uncaught error becomes a `log` message labelled with the request being handled (its
 * `x-request-id`, tracked through awaits and timers by an AsyncLocalStorage), so the kernel's
 * log (and the logs plugin) shows it as the app's. A load failure is described with the file,
 * line and column Bun's parser reported, not only its summary ("2 errors building …").
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type * as Util from "node:util";
import type { AppLogLevel, AppLogMessage } from "../shared/protocol.ts";

/** Longest text one log message carries; the rest is cut, so a runaway app cannot flood the kernel. */
const MAX_TEXT = 16 * 1024;

/** Which request a line is about: its id and its `traceparent` as sent (read for a line's trace id). */
export interface RequestLabel {
  readonly rid: string | undefined;
  readonly traceparent: string | undefined;
}

/** The request whose handling is running now (async work it started included). */
const current = new AsyncLocalStorage<RequestLabel>();

const TRACE_ID = /^[0-9a-f]{32}$/;

let util: typeof Util | undefined;

/**
 * `util.format` without colors. node:util is loaded on the first line, not with the worker:
 * importing it costs every worker about 4.7 ms of CPU at start (a third of an ephemeral request).
 */
function format(...args: unknown[]): string {
  util ??= require("node:util") as typeof Util;
  return util.formatWithOptions({ colors: false }, ...args);
}

/** The label of a request with these headers: its `x-request-id` and its `traceparent`. */
export function requestLabel(headers: Readonly<Record<string, string | string[]>>): RequestLabel | undefined {
  const given = headers["x-request-id"];
  const rid = typeof given === "string" ? given : undefined;
  const parent = headers.traceparent;
  const traceparent = typeof parent === "string" ? parent : undefined;
  return rid === undefined && traceparent === undefined ? undefined : { rid, traceparent };
}

/**
 * The trace id of a `traceparent`, if it has a well-formed one: checked when a line is written,
 * not for every request (most write none).
 */
function traceIdOf(traceparent: string | undefined): string | undefined {
  const traced = traceparent?.slice(3, 35);
  return traced !== undefined && TRACE_ID.test(traced) ? traced : undefined;
}

/** Runs `handle(arg)` as the handling of request `label` (any console line or uncaught error it causes names it). */
export function asRequest<A, T>(label: RequestLabel | undefined, handle: (arg: A) => T, arg: A): T;
export function asRequest<T>(label: RequestLabel | undefined, handle: () => T): T;
export function asRequest<A, T>(label: RequestLabel | undefined, handle: (arg?: A) => T, arg?: A): T {
  return label === undefined ? handle(arg) : current.run(label, handle, arg);
}

function clip(text: string): string {
  return text.length > MAX_TEXT
    ? `${text.slice(0, MAX_TEXT)}… (${text.length - MAX_TEXT} more characters)`
    : text;
}

/** A log message at `level`, labelled with the request being handled, if any. */
export function logMessage(level: AppLogLevel, text: string, uncaught?: string): AppLogMessage {
  const label = current.getStore();
  const tid = traceIdOf(label?.traceparent);
  return {
    t: "log",
    level,
    text: clip(text),
    ...(label?.rid !== undefined && { rid: label.rid }),
    ...(tid !== undefined && { tid }),
    ...(uncaught !== undefined && { uncaught }),
  };
}

/** An error with its stack (which names the throwing line), or the thrown value as text. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return format("%o", error);
}

const LEVELS: ReadonlyArray<[string, AppLogLevel]> = [
  ["log", "info"],
  ["info", "info"],
  ["debug", "debug"],
  ["trace", "debug"],
  ["warn", "warn"],
  ["error", "error"],
];

/** Sends every `console.*` line of the app to the pool as a `log` message instead of to stdout. */
export function captureConsole(post: (message: AppLogMessage) => void): void {
  for (const [method, level] of LEVELS) {
    const write = (...args: unknown[]) => post(logMessage(level, format(...args)));
    (console as unknown as Record<string, unknown>)[method] = write;
  }
}

/**
 * Reports the first error that escapes the app (a throw from a timer, a rejection nobody
 * handled) as an `error` line with its stack and its message as `uncaught`, then calls `exit`:
 * the worker ends as Bun would have ended it, but the pool knows why and the log has the stack.
 */
export function reportCrashes(post: (message: AppLogMessage) => void, exit: (code: number) => void): void {
  let crashed = false;
  const uncaught = (error: unknown) => {
    if (crashed) return;
    crashed = true;
    post(logMessage("error", errorText(error), error instanceof Error ? error.message : String(error)));
    exit(1);
  };
  // a process hears of it through `process`; a Bun worker thread through its global `error` event
  process.on("uncaughtException", uncaught);
  process.on("unhandledRejection", uncaught);
  globalThis.addEventListener?.("error", (event) => {
    const { error, message } = event as ErrorEvent;
    uncaught(error ?? message);
  });
}

interface ParserPosition {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly lineText?: string;
}

function located(error: unknown): string | undefined {
  const { message, position } = (error ?? {}) as { message?: unknown; position?: ParserPosition | null };
  if (typeof message !== "string") return undefined;
  if (!position?.file) return message;
  const where = `${position.file}:${position.line ?? 0}:${position.column ?? 0}`;
  return `${where}: ${message}${position.lineText ? `\n    ${position.lineText.trim()}` : ""}`;
}

/**
 * Why the entry did not load, for people: each of Bun's build errors as `file:line:column:
 * message` with the offending line, else the error's own message.
 *
 * @example
 * describeLoadError(error) // '2 errors building "/app/index.ts"\n/app/index.ts:3:8: Expected ";" but found "oops"…'
 */
export function describeLoadError(error: unknown): string {
  const parts = (error as { errors?: unknown })?.errors;
  const head = error instanceof Error ? error.message : String(error);
  if (Array.isArray(parts) && parts.length > 0) {
    const lines = parts.map(located).filter((line): line is string => line !== undefined);
    return [head, ...lines].join("\n");
  }
  return located(error) ?? head;
}
