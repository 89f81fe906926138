/** Hrana values to bun:sqlite's and back (in the database process, opened with safeIntegers). */
import type { HranaValue } from "../protocol.ts";

/** What bun:sqlite binds and returns. */
export type SqliteValue = null | bigint | number | string | Uint8Array;

/** A Hrana value as bun:sqlite binds it; integers stay exact as bigint. */
export function fromHrana(value: HranaValue): SqliteValue {
  switch (value.type) {
    case "null":
      return null;
    case "integer":
      return BigInt(value.value);
    case "float":
    case "text":
      return value.value;
    case "blob":
      return new Uint8Array(Buffer.from(value.base64, "base64"));
  }
}

/** A value bun:sqlite read, as Hrana carries it. */
export function toHrana(value: unknown): HranaValue {
  if (value === null || value === undefined) return { type: "null" };
  if (typeof value === "bigint") return { type: "integer", value: value.toString() };
  if (typeof value === "number") {
    // SQLite never stores NaN; infinities have no JSON number, so they travel as text
    return Number.isFinite(value) ? { type: "float", value } : { type: "text", value: String(value) };
  }
  if (typeof value === "string") return { type: "text", value };
  if (value instanceof Uint8Array) return { type: "blob", base64: Buffer.from(value).toString("base64") };
  return { type: "text", value: String(value) };
}
