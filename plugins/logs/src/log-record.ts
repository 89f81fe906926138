import type { LogEntry, LogFields, LogLevel } from "@buntime/sdk";

/** Rank of each level; a filter `level=warn` keeps lines ranked at or above warn. */
export const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A log line as the logs plugin stores and serves it: the entry plus a sequence number. */
export interface StoredLogEntry extends LogEntry {
  /** Increases by one with every recorded line; SSE event ids are these numbers. */
  readonly seq: number;
  /** The node that wrote the line (the logs plugin's `node` setting, `BUNTIME_NODE` or the host name). */
  readonly node: string;
}

/** A recorded line with what queries need precomputed. */
export interface LogRecord {
  readonly entry: StoredLogEntry;
  /** `entry.seq`, readable without the entry (an access line builds its entry when first read). */
  readonly seq: number;
  /** `entry.namespace`, likewise. */
  readonly namespace: string;
  /** `entry.time` in epoch milliseconds. */
  readonly ms: number;
  readonly rank: number;
  /** JSON of `entry`, built when first needed. */
  json?: string;
}

function plainValue(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === "bigint") return value.toString();
  return value;
}

function needsPlain(value: unknown): boolean {
  return value instanceof Error || typeof value === "bigint";
}

/** Errors and bigints in fields become plain JSON values, so every line serializes; plain fields are kept as they are. */
function plainFields(fields: LogFields): LogFields {
  let plain = true;
  for (const key in fields) {
    if (needsPlain(fields[key])) {
      plain = false;
      break;
    }
  }
  if (plain) return fields;
  const out: LogFields = {};
  for (const key in fields) out[key] = plainValue(fields[key]);
  return out;
}

/**
 * Wraps an entry for the buffer, giving it the sequence number `seq` and the `node`. `ms` is `entry.time` in
 * epoch milliseconds when the caller knows it (saves parsing the time).
 */
export function toRecord(entry: LogEntry, seq: number, node: string, ms?: number): LogRecord {
  const time = ms ?? Date.parse(entry.time);
  const stored: StoredLogEntry =
    entry.fields === undefined
      ? {
          seq,
          node,
          time: entry.time,
          level: entry.level,
          namespace: entry.namespace,
          message: entry.message,
        }
      : {
          seq,
          node,
          time: entry.time,
          level: entry.level,
          namespace: entry.namespace,
          message: entry.message,
          fields: plainFields(entry.fields),
        };
  return {
    entry: stored,
    seq,
    namespace: entry.namespace,
    ms: Number.isNaN(time) ? Date.now() : time,
    rank: LEVEL_RANK[entry.level] ?? 0,
  };
}

/** The record's JSON, computed once; fields that cannot be serialized (cycles) are replaced by a note. */
export function recordJson(record: LogRecord): string {
  if (record.json === undefined) {
    try {
      record.json = JSON.stringify(record.entry);
    } catch {
      record.json = JSON.stringify({ ...record.entry, fields: { unserializable: true } });
    }
  }
  return record.json;
}
