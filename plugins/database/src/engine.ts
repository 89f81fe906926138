/**
 * What the HTTP API, the console and the `database` service need of the databases, whichever
 * backend holds them (SQLite files or PostgreSQL schemas), and the shapes both answer with.
 */
import type { HranaValue, StreamRequest, StreamResult } from "./protocol.ts";

/** A column of a table, as the console shows it. */
export interface ColumnInfo {
  readonly name: string;
  /** The declared type (`INTEGER`, `text`, `bigint`…); empty when SQLite's column has none. */
  readonly type: string;
  readonly notNull: boolean;
  /** True for a column of the primary key. */
  readonly primaryKey: boolean;
}

/** A table or view of a database, with its columns. */
export interface TableInfo {
  readonly name: string;
  readonly kind: "table" | "view";
  readonly columns: readonly ColumnInfo[];
}

/** One console statement's outcome: at most `maxRows` rows, and whether more were left out. */
export interface QueryResult {
  readonly columns: readonly { readonly name: string; readonly type: string | null }[];
  readonly rows: readonly HranaValue[][];
  /** True when the statement returned more rows than the cap; only the first ones are here. */
  readonly truncated: boolean;
  /** Rows a write changed (0 for a read). */
  readonly affected: number;
}

/** A statement the database refused, with where in its text, when the database says. */
export interface StatementFailure {
  readonly message: string;
  /** The database's own code (`SQLITE_ERROR`, PostgreSQL's SQLSTATE such as `42P01`). */
  readonly code: string;
  /** 1-based character position in the statement, when the database names one. */
  readonly position?: number;
}

/** What a backup says of itself. */
export interface BackupNote {
  /** What the copy does not hold, by kind (PostgreSQL dumps hold no functions, say). */
  readonly skipped?: Readonly<Record<string, number>>;
}

/** Both backends. */
export interface DatabaseEngine {
  /**
   * Runs a pipeline on `database` (created and migrated on first use), on the stream `baton`
   * names or a new one. Returns the results and the baton for the next request.
   */
  pipeline(
    database: string,
    baton: string | null | undefined,
    requests: readonly StreamRequest[],
  ): Promise<{ baton: string | null; results: StreamResult[] }>;
  /** The tables and views of `database` with their columns (`_buntime_migrations` too). */
  tables(database: string): Promise<TableInfo[]>;
  /**
   * Runs one statement on `database` in a stream of its own (under the same guard, role, time
   * limit and quota as an app's), keeping at most `maxRows` rows.
   * @throws an error with a `failure` ({@link StatementFailure}) when the database refuses it.
   */
  query(database: string, sql: string, maxRows: number): Promise<QueryResult>;
  /** The databases that exist (`app` or `app/tenant`), sorted. */
  list(): Promise<string[]>;
  /** Writes a consistent copy of `database` to the file `to`; says what the copy left out, if anything. */
  backup(database: string, to: string): Promise<BackupNote>;
  /** Replaces `database` with the copy in file `from`, all or nothing; open transactions end. */
  restore(database: string, from: string): Promise<void>;
  close(): Promise<void>;
}

/** Names the database's refusal of a console statement, for the API to report. */
export class StatementError extends Error {
  readonly failure: StatementFailure;
  constructor(failure: StatementFailure) {
    super(failure.message);
    this.failure = failure;
  }
}
