/**
 * A Hrana stream on PostgreSQL: a connection reserved from the pool for the stream's life, its
 * `search_path` set to the database's schema and its statements held to a time limit.
 */

import { BuntimeError } from "@buntime/sdk";
import type { ReservedSQL } from "bun";
import { holds } from "../engine/conditions.ts";
import { statements } from "../engine/guard.ts";
import { fromHrana, type SqliteValue } from "../engine/values.ts";
import type { QueryResult, StatementFailure } from "../engine.ts";
import type { BatchCond, HranaError, Stmt, StreamRequest, StreamResult } from "../protocol.ts";
import { describeStatement } from "./describe.ts";
import { toPostgres } from "./placeholders.ts";
import { mayGrow, reclaim, type SchemaSizes } from "./quota.ts";
import { pgToHrana, pgTypeName } from "./values.ts";

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

/** What a stream knows of its database. */
export interface PgStreamOptions {
  /** The database's name (`app` or `app/tenant`), for errors. */
  readonly database: string;
  readonly schema: string;
  /** The statement time limit, in ms (the connection's `statement_timeout`). */
  readonly timeout: number;
  /** The size quota of the schema, in bytes. */
  readonly maxBytes: number;
  /** Measures the schema (shared by the streams of every database). */
  readonly sizes: SchemaSizes;
}

/** The cursor a console read is fetched through, so only the rows kept are read. */
const CURSOR = "DECLARE buntime_console NO SCROLL CURSOR FOR ";

/** A PostgreSQL stream. */
export class PgStream {
  readonly #conn: ReservedSQL;
  readonly #options: PgStreamOptions;
  readonly #sqls = new Map<number, string>();
  #inTransaction = false;
  /** A write was refused over the quota: its pages are given back once no transaction is open. */
  #refused = false;

  constructor(conn: ReservedSQL, options: PgStreamOptions) {
    this.#conn = conn;
    this.#options = options;
  }

  /** True while the stream is inside a transaction it began. */
  get inTransaction(): boolean {
    return this.#inTransaction;
  }

  /** Ends the stream: an open transaction is rolled back, the connection goes back to the pool. */
  async close(): Promise<void> {
    try {
      if (this.#inTransaction) await this.#conn.unsafe("ROLLBACK");
      if (this.#refused) await reclaim(this.#conn, this.#options.schema).catch(() => {});
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
        database: this.#options.database,
        ms: this.#options.timeout,
      });
      return { message: timeout.message, code: timeout.code };
    }
    if (error instanceof BuntimeError) return { message: error.message, code: error.code };
    // the server's SQLSTATE (42P01…) says more than Bun's ERR_POSTGRES_SERVER_ERROR
    const code = typeof errno === "string" ? errno : (error as { code?: unknown }).code;
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
        return {
          type: "describe",
          result: await describeStatement(this.#conn, this.#sqlOf(request), this.#inTransaction),
        };
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

  /**
   * Runs `text`, keeping track of the transaction it begins or ends. A statement that may write
   * runs in a savepoint (in a transaction) or a transaction of its own, undone when it leaves
   * the schema past its quota.
   */
  async #run(text: string, params: SqliteValue[]): Promise<Rows> {
    const sql = beginForPostgres(text);
    const rows = mayGrow(sql)
      ? await this.#withinQuota(sql, () => this.#conn.unsafe(sql, params).values() as Promise<Rows>)
      : ((await this.#conn.unsafe(sql, params).values()) as Rows);
    const command = rows.command?.toUpperCase();
    if (command === "BEGIN" || command === "START TRANSACTION") this.#inTransaction = true;
    if (command === "COMMIT" || command === "ROLLBACK") this.#inTransaction = false;
    if (this.#refused && !this.#inTransaction) {
      this.#refused = false;
      // the transaction ended as asked: giving the pages back is a chore, its failure not the statement's
      await reclaim(this.#conn, this.#options.schema).catch(() => {});
    }
    return rows;
  }

  async #withinQuota(sql: string, write: () => Promise<Rows>): Promise<Rows> {
    const nested = this.#inTransaction;
    await this.#conn.unsafe(nested ? "SAVEPOINT buntime_quota" : "BEGIN");
    try {
      const rows = await write();
      const { schema, maxBytes, database, sizes } = this.#options;
      if ((await sizes.bytes(this.#conn, schema, sql)) > maxBytes)
        throw new BuntimeError("BUNTIME_ERR_DATABASE_QUOTA_EXCEEDED", { database, limit: maxBytes });
      await this.#conn.unsafe(nested ? "RELEASE SAVEPOINT buntime_quota" : "COMMIT");
      return rows;
    } catch (error) {
      await this.#conn.unsafe(nested ? "ROLLBACK TO SAVEPOINT buntime_quota" : "ROLLBACK");
      if (nested) await this.#conn.unsafe("RELEASE SAVEPOINT buntime_quota");
      if (error instanceof BuntimeError) {
        if (nested) this.#refused = true;
        else await reclaim(this.#conn, this.#options.schema).catch(() => {});
      }
      throw error;
    }
  }

  /**
   * Runs one console statement, keeping at most `maxRows` rows. A query is read through a
   * cursor, so the rows past the cap are never fetched; anything else runs as an app's would.
   */
  async query(
    sql: string,
    maxRows: number,
  ): Promise<{ result: QueryResult } | { failure: StatementFailure }> {
    try {
      // as on SQLite: several statements in one run would leave the rows of one of them unsaid
      if (statements(sql, "postgres").length !== 1)
        throw new Error("the console runs one statement at a time");
      const read =
        // a WITH that writes is refused by DECLARE, and then runs as written (quota and all)
        /^\s*(select|values|table|with)\b/i.test(sql) && !/\binto\b/i.test(sql)
          ? await this.#fetch(sql, maxRows)
          : undefined;
      const rows = read ?? (await this.#run(sql, []));
      const columns = rows.columns ?? [];
      const kept = rows.slice(0, maxRows);
      return {
        result: {
          columns: columns.map((column) => ({ name: column.name, type: pgTypeName(column.type) })),
          rows: kept.map((row) => row.map((value, i) => pgToHrana(value, columns[i]?.type))),
          truncated: rows.length > maxRows,
          affected: rows.command === "SELECT" || read ? 0 : (rows.count ?? 0),
        },
      };
    } catch (error) {
      const { message, code } = this.#explain(error);
      const position = Number((error as { position?: string }).position);
      return {
        failure: { message, code: code ?? "PG_ERROR", ...(position > 0 ? { position } : {}) },
      };
    }
  }

  /** The first `maxRows + 1` rows of a query, through a cursor; undefined when it is no plain query. */
  async #fetch(sql: string, maxRows: number): Promise<Rows | undefined> {
    await this.#conn.unsafe("BEGIN");
    try {
      await this.#conn.unsafe(CURSOR + sql);
    } catch {
      // a WITH that writes, say: run as written, where its own error (if any) names the position
      await this.#conn.unsafe("ROLLBACK");
      return undefined;
    }
    try {
      return (await this.#conn.unsafe(`FETCH ${maxRows + 1} FROM buntime_console`).values()) as Rows;
    } finally {
      // as an app's query would be: what a function it calls writes is kept (after an error,
      // PostgreSQL answers COMMIT with a rollback)
      await this.#conn.unsafe("COMMIT");
    }
  }

  async #execute(stmt: Stmt) {
    const named = new Map(stmt.named_args.map(({ name, value }) => [name, fromHrana(value)] as const));
    const { text, params } = toPostgres(this.#sqlOf(stmt), stmt.args.map(fromHrana), named);
    const rows = await this.#run(text, params);
    const columns = rows.columns ?? [];
    const reads = rows.command === "SELECT";
    return {
      cols: columns.map((column) => ({ name: column.name, decltype: pgTypeName(column.type) })),
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
