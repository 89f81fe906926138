/**
 * Key ranges for listing by prefix. Backends compare keys as UTF-8 bytes (SQLite's BINARY
 * collation, PostgreSQL's "C"), which is code point order, so the end of a prefix range is
 * the prefix with its last code point raised by one.
 */
import { BuntimeError } from "@buntime/sdk";
import type { KeyRange } from "./backend.ts";

const MAX_CODE_POINT = 0x10ffff;

/** The smallest string greater than every string starting with `prefix`, or null if none. */
export function prefixEnd(prefix: string): string | null {
  const points = Array.from(prefix, (char) => char.codePointAt(0) as number);
  while (points.length > 0) {
    const last = points.pop() as number;
    if (last < MAX_CODE_POINT) {
      // Skip the surrogate block: those code points cannot be stored as UTF-8.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return String.fromCodePoint(...points, next);
    }
  }
  return null;
}

/** The range of `list` for a prefix and an optional cursor. */
export function listRange(prefix: string, cursor: string | undefined): KeyRange {
  return { start: prefix, end: prefixEnd(prefix), after: cursor === undefined ? null : decodeCursor(cursor) };
}

/** A cursor is the last key of a page, base64url-encoded so it travels in a query string. */
export function encodeCursor(key: string): string {
  return Buffer.from(key, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new BuntimeError("BUNTIME_ERR_STORAGE_REQUEST_INVALID", { details: "cursor is not one list gave" });
  }
  return Buffer.from(cursor, "base64url").toString("utf8");
}
