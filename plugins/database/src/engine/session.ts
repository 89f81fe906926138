/**
 * A Hrana stream inside the database process: one SQLite connection of its own (so an interactive
 * transaction belongs to one stream), its stored SQL texts, and the requests of the protocol.
 */
import { Database, type Statement } from "bun:sqlite";
import type { QueryResult, StatementFailure, TableInfo } from "../engine.ts";
import type { BatchCond, HranaError, HranaValue, Stmt, StreamRequest, StreamResult } from "../protocol.ts";
import { holds } from "./conditions.ts";
import { guardSql, statements } from "./guard.ts";
import { fromHrana, type SqliteValue, toHrana } from "./values.ts";

/** How connections are opened: the file, its size quota, how to name errors. */
export interface ConnectionOptions {
  readonly path: string;
  /** Largest size of the database file, in bytes (SQLite's max_page_count). */
  readonly maxBytes: number;
  /** Turns a SQLite failure into the error the client sees. */
  readonly explain: (error: unknown) => HranaError;
}

/** A statement's result as Hrana carries it. */
interface ExecuteResult {
  readonly cols: { name: string; decltype: string | null }[];
  readonly rows: HranaValue[][];
  readonly affected_row_count: number;
  readonly last_insert_rowid: string | null;
}

/** At most this many stored SQL texts per stream (the client keeps 30). */
const MAX_STORED_SQL = 1000;

/** How long opening a connection waits for a lock another process holds, in ms. */
const SETUP_WAIT = 30_000;
/** How long a statement waits for a lock another process holds, in ms. */
const OTHER_PROCESS_WAIT = 2_000;

/**
 * Puts the file in WAL mode. SQLite answers SQLITE_BUSY at once, without calling the busy handler,
 * when another connection holds a lock while a new file switches (as when two kernels open the same
 * new database together: test/engine-open.test.ts), so the switch is tried again for as long as
 * setting up may wait.
 */
function useWal(db: Database): void {
  const giveUp = Date.now() + SETUP_WAIT;
  for (;;) {
    try {
      db.run("PRAGMA journal_mode = WAL");
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== "SQLITE_BUSY" || Date.now() >= giveUp) throw error;
      Bun.sleepSync(10);
    }
  }
}

/** Opens a connection with the quota and settings every stream shares. */
export function openConnection(options: ConnectionOptions): Database {
  const db = new Database(options.path, { create: true, readwrite: true, safeIntegers: true });
  // setting up waits for another process (another kernel migrating the same file, say)
  db.run(`PRAGMA busy_timeout = ${SETUP_WAIT}`);
  useWal(db);
  db.run("PRAGMA foreign_keys = ON");
  const pageSize = Number(db.query<{ page_size: bigint }, []>("PRAGMA page_size").get()?.page_size ?? 4096n);
  db.run(`PRAGMA max_page_count = ${Math.max(1, Math.floor(options.maxBytes / pageSize))}`);
  // a lock only another process can hold here (another kernel on the same file, or its WAL
  // being recovered or checkpointed as a connection closes) is waited for a little: streams of
  // this process never meet each other's locks, the plugin's gate keeps them apart, so waiting
  // cannot hold up a stream of ours that holds the lock
  db.run(`PRAGMA busy_timeout = ${OTHER_PROCESS_WAIT}`);
  return db;
}

/** The named arguments as bun:sqlite binds them; a bare name stands for :name, @name and $name. */
function namedArgs(stmt: Stmt): Record<string, SqliteValue> {
  const bound: Record<string, SqliteValue> = {};
  for (const { name, value } of stmt.named_args) {
    const sqlite = fromHrana(value);
    if (/^[:@$]/.test(name)) bound[name] = sqlite;
    else for (const prefix of [":", "@", "$"]) bound[prefix + name] = sqlite;
  }
  return bound;
}

/** One stream's connection and stored SQL. */
export class Session {
  readonly #db: Database;
  readonly #sqls = new Map<number, string>();
  readonly #explain: (error: unknown) => HranaError;
  readonly #counters: Statement<unknown, []>;

  constructor(options: ConnectionOptions) {
    this.#db = openConnection(options);
    this.#explain = options.explain;
    this.#counters = this.#db.query("SELECT total_changes(), last_insert_rowid()");
  }

  /** True while the stream's connection is inside a transaction it began. */
  get inTransaction(): boolean {
    return this.#db.inTransaction;
  }

  /** Makes the connection ready for another stream: its stored SQL forgotten. */
  reset(): void {
    this.#sqls.clear();
  }

  /** Ends the stream; an open transaction is rolled back. */
  close(): void {
    this.#db.close(false);
  }

  /** The tables and views, each with its columns as `PRAGMA table_info` reads them. */
  tables(): TableInfo[] {
    const list = this.#db
      .query<{ name: string; type: "table" | "view" }, []>(
        "SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite%' ORDER BY name",
      )
      .all();
    const columns = this.#db.query<{ name: string; type: string; notnull: bigint; pk: bigint }, [string]>(
      'SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid',
    );
    return list.map(({ name, type }) => ({
      name,
      kind: type,
      columns: columns.all(name).map((column) => ({
        name: column.name,
        type: column.type,
        notNull: column.notnull !== 0n,
        primaryKey: column.pk !== 0n,
      })),
    }));
  }

  /**
   * Runs one statement for the console, keeping at most `maxRows` rows: the rest are never read
   * (a statement's rows are stepped through, not gathered first).
   */
  query(sql: string, maxRows: number): { result: QueryResult } | { failure: StatementFailure } {
    let prepared: Statement | undefined;
    try {
      if (statements(sql).length !== 1) throw new Error("the console runs one statement at a time");
      prepared = this.#db.prepare(this.#sqlOf({ sql }));
      const before = this.#changes();
      const names = prepared.columnNames;
      let rows: unknown[][] = [];
      let truncated = false;
      if (names.length > 0 && new Set(names).size === names.length) {
        for (const row of prepared.iterate() as Iterable<Record<string, unknown>>) {
          if (rows.length === maxRows) {
            truncated = true;
            break;
          }
          rows.push(names.map((name) => row[name]));
        }
      } else {
        // several columns of one name cannot be told apart in the rows iterate() gives
        rows = prepared.values();
        truncated = rows.length > maxRows;
        rows = rows.slice(0, maxRows);
      }
      const types = prepared.declaredTypes;
      return {
        result: {
          columns: names.map((name, i) => ({ name, type: types[i] ?? null })),
          rows: rows.map((row) => row.map(toHrana)),
          truncated,
          affected: Number(this.#changes().total - before.total),
        },
      };
    } catch (error) {
      const { message, code } = this.#explain(error);
      // SQLite names the token it stopped at by its UTF-8 byte offset: as a character position
      const offset = (error as { byteOffset?: number }).byteOffset ?? -1;
      const position =
        offset >= 0 ? Buffer.from(sql).subarray(0, offset).toString("utf8").length + 1 : undefined;
      return { failure: { message, code: code ?? "SQLITE_ERROR", ...(position ? { position } : {}) } };
    } finally {
      prepared?.finalize();
    }
  }

  /** Runs one request; a failure is that request's error, and the stream goes on. */
  handle(request: StreamRequest): StreamResult {
    try {
      return { type: "ok", response: this.#respond(request) };
    } catch (error) {
      return { type: "error", error: this.#explain(error) };
    }
  }

  #respond(request: StreamRequest): { type: string } & Record<string, unknown> {
    switch (request.type) {
      case "close":
        return { type: "close" };
      case "execute":
        return { type: "execute", result: this.#execute(request.stmt) };
      case "batch":
        return { type: "batch", result: this.#batch(request.batch.steps) };
      case "sequence":
        this.#db.run(this.#sqlOf(request));
        return { type: "sequence" };
      case "describe":
        return { type: "describe", result: this.#describe(this.#sqlOf(request)) };
      case "store_sql":
        if (this.#sqls.size >= MAX_STORED_SQL && !this.#sqls.has(request.sql_id)) {
          throw new Error(`a stream keeps at most ${MAX_STORED_SQL} stored SQL texts`);
        }
        this.#sqls.set(request.sql_id, request.sql);
        return { type: "store_sql" };
      case "close_sql":
        this.#sqls.delete(request.sql_id);
        return { type: "close_sql" };
      case "get_autocommit":
        return { type: "get_autocommit", is_autocommit: !this.#db.inTransaction };
    }
  }

  /** The statement's SQL (given, or stored), once the guard lets it through. */
  #sqlOf(source: { sql?: string; sql_id?: number }): string {
    const sql = source.sql ?? (source.sql_id === undefined ? undefined : this.#sqls.get(source.sql_id));
    if (sql === undefined) throw new Error(`no stored SQL with sql_id ${source.sql_id}`);
    guardSql(sql);
    return sql;
  }

  /** SQLite's count of changed rows so far (the difference is one statement's) and the last rowid. */
  #changes(): { total: bigint; rowid: bigint } {
    const [total, rowid] = (this.#counters.values()[0] ?? [0n, 0n]) as [bigint, bigint];
    return { total, rowid };
  }

  #execute(stmt: Stmt): ExecuteResult {
    const sql = this.#sqlOf(stmt);
    const prepared = this.#db.prepare(sql);
    try {
      if (stmt.args.length > 0 && stmt.named_args.length > 0) {
        throw new Error("a statement takes positional or named arguments, not both");
      }
      const args = stmt.named_args.length > 0 ? [namedArgs(stmt)] : stmt.args.map(fromHrana);
      const before = this.#changes();
      const rows = (prepared.values as (...bind: unknown[]) => unknown[][])(...args);
      const after = this.#changes();
      const affected = Number(after.total - before.total);
      const types = prepared.declaredTypes;
      return {
        cols: prepared.columnNames.map((name, i) => ({ name, decltype: types[i] ?? null })),
        rows: stmt.want_rows ? rows.map((row) => row.map(toHrana)) : [],
        affected_row_count: affected,
        last_insert_rowid: affected > 0 ? String(after.rowid) : null,
      };
    } finally {
      prepared.finalize();
    }
  }

  #batch(steps: readonly { condition?: BatchCond | null; stmt: Stmt }[]) {
    const results: (ExecuteResult | null)[] = [];
    const errors: (HranaError | null)[] = [];
    const isAutocommit = () => !this.#db.inTransaction;
    for (const step of steps) {
      let result = null;
      let error = null;
      const ran = (list: readonly unknown[]) => list.map((entry) => entry !== null);
      if (!step.condition || holds(step.condition, ran(results), ran(errors), isAutocommit)) {
        try {
          result = this.#execute(step.stmt);
        } catch (failure) {
          error = this.#explain(failure);
        }
      }
      results.push(result);
      errors.push(error);
    }
    return { step_results: results, step_errors: errors };
  }

  #describe(sql: string) {
    const prepared = this.#db.prepare(sql);
    try {
      const types = prepared.declaredTypes;
      return {
        params: Array.from({ length: prepared.paramsCount }, () => ({ name: null })),
        cols: prepared.columnNames.map((name, i) => ({ name, decltype: types[i] ?? null })),
        is_explain: /^\s*explain\b/i.test(sql),
        // bun:sqlite does not expose sqlite3_stmt_readonly: read-only means it starts as a query does
        is_readonly: /^\s*(select|explain|values)\b/i.test(sql),
      };
    } finally {
      prepared.finalize();
    }
  }
}
