/** PostgreSQL values as Hrana carries them, by the column's type. */
import type { HranaValue } from "../protocol.ts";

const INTEGER_TYPES = new Set([20, 21, 23, 26]); // int8, int2, int4, oid
const FLOAT_TYPES = new Set([700, 701]); // float4, float8

/** A value Bun.SQL read from a column of type `oid`. */
export function pgToHrana(value: unknown, oid: number | undefined): HranaValue {
  if (value === null || value === undefined) return { type: "null" };
  if (typeof value === "boolean") return { type: "integer", value: value ? "1" : "0" };
  if (typeof value === "bigint" || (typeof value === "number" && INTEGER_TYPES.has(oid ?? -1))) {
    return { type: "integer", value: String(value) };
  }
  if (typeof value === "number") {
    return Number.isFinite(value) ? { type: "float", value } : { type: "text", value: String(value) };
  }
  if (value instanceof Uint8Array) return { type: "blob", base64: Buffer.from(value).toString("base64") };
  if (value instanceof Date) return { type: "text", value: value.toISOString() };
  if (typeof value === "string") {
    return FLOAT_TYPES.has(oid ?? -1) ? { type: "float", value: Number(value) } : { type: "text", value };
  }
  return { type: "text", value: JSON.stringify(value) };
}

const TYPE_NAMES: Record<number, string> = {
  16: "boolean",
  17: "bytea",
  20: "bigint",
  21: "smallint",
  23: "integer",
  25: "text",
  26: "oid",
  114: "json",
  700: "real",
  701: "double precision",
  1042: "character",
  1043: "character varying",
  1082: "date",
  1083: "time",
  1114: "timestamp",
  1184: "timestamptz",
  1700: "numeric",
  2950: "uuid",
  3802: "jsonb",
};

/** The name of a column's type, by its oid (the common ones; null for others). */
export function pgTypeName(oid: number | undefined): string | null {
  return TYPE_NAMES[oid ?? -1] ?? null;
}
