/**
 * The protocol's `describe` request on PostgreSQL: a statement's parameters, its columns (names
 * and types) and whether it only reads, without running it. Columns come from a cursor declared
 * for the statement and never fetched from, in a transaction rolled back at once; a statement
 * that is no query (an INSERT … RETURNING, say) is described without columns.
 */
import type { ReservedSQL } from "bun";
import { type Parameter, rewriteParameters } from "./placeholders.ts";
import { mayGrow } from "./quota.ts";
import { pgTypeName } from "./values.ts";

/** What `describe` answers, as Hrana carries it. */
export interface DescribeResult {
  readonly params: { readonly name: string | null }[];
  readonly cols: { readonly name: string; readonly decltype: string | null }[];
  readonly is_explain: boolean;
  readonly is_readonly: boolean;
}

const QUERY = /^\s*(select|values|table|with)\b/i;

/** Describes `sql` (with SQLite's parameter forms) on `conn`, outside any transaction of its stream. */
export async function describeStatement(
  conn: ReservedSQL,
  sql: string,
  inTransaction: boolean,
): Promise<DescribeResult> {
  const params: { name: string | null }[] = [];
  const { text } = rewriteParameters(sql, (parameter: Parameter) => {
    params.push({ name: "name" in parameter ? parameter.shown : null });
    return null;
  });
  const readonly = !mayGrow(text) && /^\s*(select|values|table|show|explain)\b/i.test(text);
  let cols: DescribeResult["cols"] = [];
  if (QUERY.test(text) && !/\binto\b/i.test(text)) {
    // a savepoint inside the stream's own transaction, else a transaction of its own
    await conn.unsafe(inTransaction ? "SAVEPOINT buntime_describe" : "BEGIN");
    try {
      await conn.unsafe(
        `DECLARE buntime_describe NO SCROLL CURSOR FOR ${text}`,
        params.map(() => null),
      );
      const rows = (await conn.unsafe("FETCH FORWARD 0 FROM buntime_describe").values()) as {
        columns?: { name: string; type: number }[];
      };
      cols = (rows.columns ?? []).map((column) => ({ name: column.name, decltype: pgTypeName(column.type) }));
    } catch {
      // a parameter whose type PostgreSQL cannot tell without a value: no columns to report
    } finally {
      await conn.unsafe(inTransaction ? "ROLLBACK TO SAVEPOINT buntime_describe" : "ROLLBACK");
      if (inTransaction) await conn.unsafe("RELEASE SAVEPOINT buntime_describe");
    }
  }
  return { params, cols, is_explain: /^\s*explain\b/i.test(text), is_readonly: readonly };
}
