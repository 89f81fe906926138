/**
 * What an app's SQL may not do on SQLite, since the database process runs as the kernel: reach
 * another file (`ATTACH`, `VACUUM INTO`) or change how its connection is held (`PRAGMA`s that
 * lift the size quota, turn off the journal, write the schema…). Read-only PRAGMAs and the few
 * an ORM sets (`foreign_keys`, `defer_foreign_keys`, `user_version`) go through.
 */

import { BuntimeError } from "@buntime/sdk";

/** PRAGMAs an app may read. */
const READABLE = new Set([
  "table_info",
  "table_xinfo",
  "table_list",
  "index_list",
  "index_info",
  "index_xinfo",
  "foreign_key_list",
  "foreign_key_check",
  "integrity_check",
  "quick_check",
  "page_count",
  "page_size",
  "freelist_count",
  "data_version",
  "schema_version",
  "compile_options",
  "collation_list",
  "function_list",
  "database_list",
]);
/** PRAGMAs an app may also set. */
const SETTABLE = new Set(["foreign_keys", "defer_foreign_keys", "user_version", "recursive_triggers"]);

const SKIPPED = /'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/y;
/** PostgreSQL's literals and comments, dollar-quoted bodies (`$$ … $$`, `$fn$ … $fn$`) too. */
const SKIPPED_PG =
  /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|\$([A-Za-z_][A-Za-z0-9_]*)?\$[\s\S]*?\$\1\$/y;

/**
 * The statements of `sql`, split on `;` outside literals and comments, comments dropped; in
 * SQLite's words, or PostgreSQL's (`dialect: "postgres"`).
 */
export function statements(sql: string, dialect: "sqlite" | "postgres" = "sqlite"): string[] {
  const skip = dialect === "postgres" ? SKIPPED_PG : SKIPPED;
  const found: string[] = [];
  let current = "";
  for (let i = 0; i < sql.length; ) {
    skip.lastIndex = i;
    const skipped = skip.exec(sql);
    if (skipped) {
      current += skipped[0].startsWith("-") || skipped[0].startsWith("/*") ? " " : skipped[0];
      i = skip.lastIndex;
    } else if (sql[i] === ";") {
      found.push(current);
      current = "";
      i++;
    } else {
      current += sql[i];
      i++;
    }
  }
  found.push(current);
  return found.map((statement) => statement.trim()).filter((statement) => statement.length > 0);
}

/** Why `statement` is refused, else undefined. */
function refusal(statement: string): string | undefined {
  const words = statement.replace(/^EXPLAIN(\s+QUERY\s+PLAN)?\s+/i, "").split(/[\s(=]+/);
  const first = words[0]?.toUpperCase();
  if (first === "ATTACH" || first === "DETACH") return `${first} reaches another database file`;
  if (first === "VACUUM" && /\bINTO\b/i.test(statement))
    return "VACUUM INTO writes another file (ask an admin for a backup)";
  if (first === "PRAGMA") {
    const name = /^PRAGMA\s+(?:[\w"`[\]]+\.)?([A-Za-z_]+)\s*(=|\()?/i.exec(statement);
    const pragma = name?.[1]?.toLowerCase() ?? "";
    const sets = name?.[2] === "=" || (name?.[2] === "(" && !READABLE.has(pragma));
    if (SETTABLE.has(pragma) || (READABLE.has(pragma) && !sets)) return undefined;
    return `PRAGMA ${pragma} is not open to apps`;
  }
  return undefined;
}

/** Throws naming the first statement of `sql` an app may not run. */
export function guardSql(sql: string): void {
  for (const statement of statements(sql)) {
    const why = refusal(statement);
    if (why) throw new BuntimeError("BUNTIME_ERR_DATABASE_REQUEST_INVALID", { details: `refused: ${why}` });
  }
}
