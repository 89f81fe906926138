/**
 * What a storage backend implements: plain row operations inside one namespace. Validation,
 * JSON and the meaning of versions live in the key-value store above it, so that every backend
 * behaves the same and one contract suite checks them all.
 */

/** A row as a backend keeps it: the value is JSON text. */
export interface StoredRow {
  readonly key: string;
  readonly value: string;
  readonly version: string;
  readonly expiresAt: number | null;
}

/** A version condition on one key (`null`: the key must be absent or expired). */
export interface VersionCheck {
  readonly key: string;
  readonly version: string | null;
}

/** A write of a commit: `value` undefined deletes the key. */
export interface RowWrite {
  readonly key: string;
  readonly value: string | undefined;
  readonly expiresAt: number | null;
}

/** A key range of `list`: from `start` (inclusive) to `end` (exclusive, null: no end), after `after`. */
export interface KeyRange {
  readonly start: string;
  readonly end: string | null;
  readonly after: string | null;
}

/** Result of a commit as a backend reports it. */
export type BackendCommit = { ok: true; version: string } | { ok: false; key: string };

/** What a namespace holds, as `usage` counts it. */
export interface NamespaceUsage {
  readonly keys: number;
  readonly bytes: number;
}

/** The bounds of the namespaces under `ns`: from `ns/` up to `ns0` ("0" follows "/"). */
export const childNamespaces = (ns: string) => ({ low: `${ns}/`, high: `${ns}0` });

/** A storage backend; `now` is ms since the epoch and decides what counts as expired. */
export interface KvBackend {
  /** "sqlite" or "postgres", for error messages. */
  readonly name: string;
  get(namespace: string, keys: readonly string[], now: number): Promise<StoredRow[]>;
  list(namespace: string, range: KeyRange, limit: number, now: number): Promise<StoredRow[]>;
  /** Checks every condition, then applies every write under one new version, atomically. */
  commit(
    namespace: string,
    checks: readonly VersionCheck[],
    writes: readonly RowWrite[],
    now: number,
  ): Promise<BackendCommit>;
  /**
   * What namespace `ns` and every namespace under it (`ns/...`) hold now: live keys, and bytes
   * of keys and JSON values.
   */
  usage(ns: string, now: number): Promise<NamespaceUsage>;
  /** Removes expired rows; returns how many. */
  sweep(now: number): Promise<number>;
  close(): Promise<void>;
}

/** Versions are zero-padded so that their string order is their numeric order. */
export function formatVersion(sequence: number | bigint | string): string {
  return String(sequence).padStart(20, "0");
}
