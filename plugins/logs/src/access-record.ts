import { routeLabelOf } from "@buntime/sdk";
import { LEVEL_RANK, type LogRecord, type StoredLogEntry } from "./log-record.ts";

/**
 * The figures of one request that an access line is made of, in the order every access sink
 * takes them: positional, so recording a request allocates nothing but its record.
 */
export type AccessFigures = [
  ms: number,
  method: string,
  path: string,
  status: number,
  /** Milliseconds from the plugin's `onRequest`; undefined when it did not see the arrival. */
  duration: number | undefined,
  requestId: string,
  traceId: string | undefined,
];

/** The namespace of access lines. */
export const ACCESS_NAMESPACE = "http";

const INFO = LEVEL_RANK.info;
const ERROR = LEVEL_RANK.error;

/**
 * An access line as the request path records it: the request's figures only. The line itself
 * (its time string, message, route and fields) is built the first time something reads it (a
 * query, a tail, the `logs` service), so a request nobody looks at costs one object.
 */
export class AccessRecord implements LogRecord {
  readonly seq: number;
  readonly ms: number;
  readonly rank: number;
  json?: string;
  readonly #node: string;
  readonly #method: string;
  readonly #path: string;
  readonly #status: number;
  /** Milliseconds from the plugin's `onRequest`, unrounded; undefined when it did not see the arrival. */
  readonly #duration: number | undefined;
  readonly #requestId: string;
  readonly #traceId: string | undefined;
  #entry: StoredLogEntry | undefined;

  constructor(
    seq: number,
    node: string,
    ...[ms, method, path, status, duration, requestId, traceId]: AccessFigures
  ) {
    this.seq = seq;
    this.#node = node;
    this.ms = ms;
    this.rank = status >= 500 ? ERROR : INFO;
    this.#method = method;
    this.#path = path;
    this.#status = status;
    this.#duration = duration;
    this.#requestId = requestId;
    this.#traceId = traceId;
    this.#entry = undefined;
  }

  get namespace(): string {
    return ACCESS_NAMESPACE;
  }

  /** The line, built on first read: fields in the documented order (method, path, route, status, durationMs, requestId, traceId). */
  get entry(): StoredLogEntry {
    if (this.#entry !== undefined) return this.#entry;
    const path = this.#path;
    const fields: Record<string, unknown> = {
      method: this.#method,
      path,
      route: routeLabelOf(path),
      status: this.#status,
    };
    if (this.#duration !== undefined) fields.durationMs = Math.round(this.#duration * 1000) / 1000;
    fields.requestId = this.#requestId;
    if (this.#traceId !== undefined) fields.traceId = this.#traceId;
    this.#entry = {
      seq: this.seq,
      node: this.#node,
      time: new Date(this.ms).toISOString(),
      level: this.rank === ERROR ? "error" : "info",
      namespace: ACCESS_NAMESPACE,
      message: `${this.#method} ${path} ${this.#status}`,
      fields,
    };
    return this.#entry;
  }
}
