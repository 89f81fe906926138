/**
 * A Hrana stream on PostgreSQL: a connection reserved from the pool for the stream's life, its
 * `search_path` set to the database's schema and its statements held to a time limit.
 */

import { BuntimeError } from "@buntime/sdk";
import type { ReservedSQL } from "bun";
import { holds } from "../engine/conditions.ts";
import { fromHrana, type SqliteValue } from "../engine/values.ts";
import type { BatchCond, HranaError, Stmt, StreamRequest, StreamResult } from "../protocol.ts";
import { toPostgres } from "./placeholders.ts";
import { pgToHrana } from "./values.ts";

/**
 * SQLite's ways to begin, as the libSQL client sends them (`BEGIN IMMEDIATE`, `BEGIN DEFERRED`,
 * `BEGIN TRANSACTION READONLY`), in PostgreSQL's words; any other text is left alone.
 */
export function beginForPostgres(text: string): string {
  if (/^\s*BEGIN\s+TRANSACTION\s+READONLY\s*;?\s*$/i.test(text)) return "BEGIN READ ONLY";
  if (/^\s*BEGIN(\s+(IMMEDIATE|DEFERRED|EXCLUSIVE))?(\s+TRANSACTION)?\s*;?\s*$/i.test(text)) return "BEGIN";
  return text;
}

type Column = { name: string; type: number };
type Rows = unknown[][] & { columns?: Column[]; count?: number | null; command?: string };

/** A PostgreSQL stream. */
export class PgStream {
  readonly #conn: ReservedSQL;
  readonly #database: string;
  readonly #timeout: number;
  readonly #sqls = new Map<number, string>();
  #inTransaction = false;

  constructor(conn: ReservedSQL, database: string, timeout: number) {
    this.#conn = conn;
    this.#database = database;
    this.#timeout = timeout;
  }

  /** True while the stream is inside a transaction it began. */
  get inTransaction(): boolean {
    return this.#inTransaction;
  }

  /** Ends the stream: an open transaction is rolled back, the connection goes back to the pool. */
  async close(): Promise<void> {
    try {
      if (this.#inTransaction) await this.#conn.unsafe("ROLLBACK");
    } finally {
      this.#conn.release();
    }
  }

  /** Runs one request; a failure is that request's error and the stream goes on. */
  async handle(request: StreamRequest): Promise<StreamResult> {
    try {
      return { type: "ok", response: await this.#respond(request) };
    } catch (error) {
      return { type: "error", error: this.#explain(error) };
    }
  }

  #explain(error: unknown): HranaError {
    const errno = (error as { errno?: unknown }).errno;
    if (errno === "57014") {
      const timeout = new BuntimeError("BUNTIME_ERR_DATABASE_TIMEOUT", {
        database: this.#database,
        ms: this.#timeout,
      });
      return { message: timeout.message, code: timeout.code };
    }
    const code = (error as { code?: unknown }).code;
    return {
      message: error instanceof Error ? error.message : String(error),
      code: typeof code === "string" ? code : "PG_ERROR",
    };
  }

  async #respond(request: StreamRequest): Promise<{ type: string } & Record<string, unknown>> {
    switch (request.type) {
      case "close":
        return { type: "close" };
      case "execute":
        return { type: "execute", result: await this.#execute(request.stmt) };
      case "batch":
        return { type: "batch", result: await this.#batch(request.batch.steps) };
      case "sequence":
        await this.#run(this.#sqlOf(request), []);
        return { type: "sequence" };
      case "describe":
        throw new Error("describe is not available on PostgreSQL databases");
      case "store_sql":
        this.#sqls.set(request.sql_id, request.sql);
        return { type: "store_sql" };
      case "close_sql":
        this.#sqls.delete(request.sql_id);
        return { type: "close_sql" };
      case "get_autocommit":
        return { type: "get_autocommit", is_autocommit: !this.#inTransaction };
    }
  }

  #sqlOf(source: { sql?: string; sql_id?: number }): string {
    if (source.sql !== undefined) return source.sql;
    const sql = source.sql_id === undefined ? undefined : this.#sqls.get(source.sql_id);
    if (sql === undefined) throw new Error(`no stored SQL with sql_id ${source.sql_id}`);
    return sql;
  }

  /** Runs `text`, keeping track of the transaction it begins or ends. */
  async #run(text: string, params: SqliteValue[]): Promise<Rows> {
    const rows = (await this.#conn.unsafe(beginForPostgres(text), params).values()) as Rows;
    const command = rows.command?.toUpperCase();
    if (command === "BEGIN" || command === "START TRANSACTION") this.#inTransaction = true;
    if (command === "COMMIT" || command === "ROLLBACK") this.#inTransaction = false;
    return rows;
  }

  async #execute(stmt: Stmt) {
    const named = new Map(stmt.named_args.map(({ name, value }) => [name, fromHrana(value)] as const));
    const { text, params } = toPostgres(this.#sqlOf(stmt), stmt.args.map(fromHrana), named);
    const rows = await this.#run(text, params);
    const columns = rows.columns ?? [];
    const reads = rows.command === "SELECT";
    return {
      cols: columns.map((column) => ({ name: column.name, decltype: null })),
      rows: stmt.want_rows
        ? rows.map((row) => row.map((value, i) => pgToHrana(value, columns[i]?.type)))
        : [],
      affected_row_count: reads ? 0 : (rows.count ?? 0),
      last_insert_rowid: null,
    };
  }

  async #batch(steps: readonly { condition?: BatchCond | null; stmt: Stmt }[]) {
    const results: unknown[] = [];
    const errors: (HranaError | null)[] = [];
    const ok: boolean[] = [];
    const failed: boolean[] = [];
    for (const step of steps) {
      let result = null;
      let error = null;
      if (!step.condition || holds(step.condition, ok, failed, () => !this.#inTransaction)) {
        try {
          result = await this.#execute(step.stmt);
        } catch (failure) {
          error = this.#explain(failure);
        }
      }
      results.push(result);
      errors.push(error);
      ok.push(result !== null);
      failed.push(error !== null);
    }
    return { step_results: results, step_errors: errors };
  }
}
