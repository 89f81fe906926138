import type { LogEntry } from "@buntime/sdk";
import type { AccessSink } from "./access-log.ts";
import { type AccessFigures, AccessRecord } from "./access-record.ts";
import { type LogFilter, matches } from "./log-filter.ts";
import { type LogRecord, recordJson, type StoredLogEntry, toRecord } from "./log-record.ts";
import { RingBuffer } from "./ring-buffer.ts";

/** Receives each recorded line that passes its filter, with the line's JSON. */
export type LogListener = (entry: StoredLogEntry, json: string) => void;

/** What a query returns. */
export interface LogQueryResult {
  /** Matching lines, oldest first: the newest `limit` of them. */
  readonly entries: readonly StoredLogEntry[];
  /** True when more lines matched than `limit` let through. */
  readonly truncated: boolean;
}

/** The `logs` service: record lines, query the buffer, follow new lines. */
export interface LogsService {
  /** Stores a line (and hands it to followers); `ms` is its time in epoch milliseconds, if known. */
  record(entry: LogEntry, ms?: number): void;
  /** The newest lines that pass `filter`, oldest first. @default limit 100 */
  query(filter?: LogFilter, limit?: number): LogQueryResult;
  /**
   * Calls `listener` with each new line that passes `filter`; returns the function that stops it.
   * Lines logged from inside a listener are kept but not handed to listeners.
   */
  follow(filter: LogFilter, listener: LogListener): () => void;
}

const DEFAULT_LIMIT = 100;

function normalized(filter: LogFilter): LogFilter {
  return filter.text === undefined ? filter : { ...filter, text: filter.text.toLowerCase() };
}

/** The ring buffer of log lines with its followers. */
export class LogStore implements LogsService, AccessSink {
  readonly #buffer: RingBuffer<LogRecord>;
  readonly #followers = new Map<LogListener, LogFilter>();
  #seq = 0;
  #delivering = false;

  readonly #node: string;

  /** A buffer of `capacity` lines, each stamped with `node`. */
  constructor(capacity: number, node: string) {
    this.#buffer = new RingBuffer(capacity);
    this.#node = node;
  }

  get capacity(): number {
    return this.#buffer.capacity;
  }

  /** Lines recorded since start, including those the buffer has forgotten. */
  get recorded(): number {
    return this.#seq;
  }

  record(entry: LogEntry, ms?: number): void {
    this.#keep(toRecord(entry, ++this.#seq, this.#node, ms));
  }

  /** Stores an access line from a request's figures; its entry is built when something reads it. */
  recordAccess(...figures: AccessFigures): void {
    const seq = ++this.#seq;
    this.#keep(new AccessRecord(seq, this.#node, ...figures));
  }

  #keep(record: LogRecord): void {
    this.#buffer.push(record);
    // A follower that logs while it is handed a line would otherwise loop forever: lines
    // written from inside a follower are kept but not handed out.
    if (this.#followers.size === 0 || this.#delivering) return;
    this.#delivering = true;
    try {
      for (const [listener, filter] of this.#followers) {
        if (!matches(record, filter, recordJson)) continue;
        try {
          listener(record.entry, recordJson(record));
        } catch {
          // one broken follower must not keep the line from the others
        }
      }
    } finally {
      this.#delivering = false;
    }
  }

  query(filter: LogFilter = {}, limit = DEFAULT_LIMIT): LogQueryResult {
    const wanted = normalized(filter);
    const found: StoredLogEntry[] = [];
    let truncated = false;
    for (const record of this.#buffer.newestFirst()) {
      if (!matches(record, wanted, recordJson)) continue;
      if (found.length === limit) {
        truncated = true;
        break;
      }
      found.push(record.entry);
    }
    return { entries: found.reverse(), truncated };
  }

  follow(filter: LogFilter, listener: LogListener): () => void {
    this.#followers.set(listener, normalized(filter));
    return () => this.#followers.delete(listener);
  }
}
