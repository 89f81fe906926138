/**
 * App databases as PostgreSQL schemas, for several kernels on one server: each database is a
 * schema of its own, owned by a login role of its own that streams and migrations use (created on
 * first use, migrated once under an advisory lock), each stream a
 * connection reserved for it, named by a baton that changes with every answer.
 */
import { createHash, randomBytes } from "node:crypto";
import { BuntimeError, type Logger } from "@buntime/sdk";
import { SQL } from "bun";
import type { Migration } from "../engine/migrations.ts";
import { type DatabaseEngine, type QueryResult, StatementError, type TableInfo } from "../engine.ts";
import type { StreamRequest, StreamResult } from "../protocol.ts";
import { type DumpSummary, dumpSchema } from "./dump.ts";
import { applyMigrations } from "./migrations.ts";
import { SchemaSizes } from "./quota.ts";
import { restoreSchema } from "./restore.ts";
import { ensureRole, roleUrl } from "./roles.ts";
import { PgStream } from "./stream.ts";

/** What the PostgreSQL databases need. */
export interface PgDatabasesOptions {
  readonly url: string;
  readonly statementTimeout: number;
  readonly streamTimeout: number;
  /** Largest size of one database's schema, in bytes. */
  readonly maxDatabaseBytes: number;
  readonly logger: Logger;
  readonly migrationsOf: (app: string) => Promise<Migration[]>;
}

interface Open {
  readonly database: string;
  readonly stream: PgStream;
  timer?: Timer;
}

/** The schema of a database: a hash of its name, so any name fits and none collides. */
export function schemaOf(database: string): string {
  return `buntime_db_${createHash("sha256").update(database).digest("hex").slice(0, 24)}`;
}

/** Each table's and view's columns, with type, NOT NULL and whether they are in the primary key. */
const TABLES = `SELECT c.relname AS table, c.relkind AS kind, a.attname AS name,
    format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
    coalesce(i.indisprimary, false) AS primary_key
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY (i.indkey)
  WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
  ORDER BY c.relname, a.attnum`;

/** The PostgreSQL side of the plugin. */
export class PgDatabases implements DatabaseEngine {
  readonly #options: PgDatabasesOptions;
  /** The administrator's pool: creates roles and schemas. */
  readonly #admin: SQL;
  /** Each database's pool, logged in as its own role. */
  readonly #pools = new Map<string, Promise<SQL>>();
  readonly #streams = new Map<string, Open>();
  readonly #sizes = new SchemaSizes();

  constructor(options: PgDatabasesOptions) {
    this.#options = options;
    this.#admin = new SQL({ url: options.url, max: 2 });
  }

  /** The pool of `database`'s role, its role, schema and pending migrations in place first. */
  #pool(database: string): Promise<SQL> {
    let pool = this.#pools.get(database);
    if (!pool) {
      pool = this.#prepare(database);
      this.#pools.set(database, pool);
      pool.catch(() => this.#pools.delete(database));
    }
    return pool;
  }

  async #prepare(database: string): Promise<SQL> {
    const schema = schemaOf(database);
    const migrations = await this.#options.migrationsOf(database.split("/")[0] ?? database);
    let pool: SQL | undefined;
    try {
      await ensureRole(this.#admin, this.#options.url, schema, database);
      pool = new SQL({ url: roleUrl(this.#options.url, schema), bigint: true, max: 10, idleTimeout: 60 });
      // as the role itself, so what migrations create is its own
      const applied = await pool.begin(async (tx) => {
        const names = await applyMigrations(tx, schema, migrations);
        // as on SQLite, where the file cannot grow past it: migrations are held to the quota too
        const limit = this.#options.maxDatabaseBytes;
        if (names.length > 0 && (await this.#sizes.bytes(tx, schema, "CREATE")) > limit)
          throw Object.assign(new Error(`they would grow the database past its ${limit}-byte quota`), {
            migration: names.at(-1),
          });
        return names;
      });
      if (applied.length > 0)
        this.#options.logger.info(`database ${database}: applied ${applied.join(", ")}`);
      return pool;
    } catch (error) {
      await pool?.close();
      throw new BuntimeError("BUNTIME_ERR_DATABASE_MIGRATION_FAILED", {
        database,
        migration: (error as { migration?: string }).migration ?? "(setup)",
        details: error instanceof Error ? error.message : String(error),
      });
    }
  }

  async #open(database: string): Promise<PgStream> {
    const conn = await (await this.#pool(database)).reserve();
    try {
      await conn.unsafe(`SET search_path TO "${schemaOf(database)}"`);
      await conn.unsafe(`SET statement_timeout = ${this.#options.statementTimeout}`);
    } catch (error) {
      conn.release();
      throw error;
    }
    return new PgStream(conn, {
      database,
      schema: schemaOf(database),
      timeout: this.#options.statementTimeout,
      maxBytes: this.#options.maxDatabaseBytes,
      sizes: this.#sizes,
    });
  }

  #drop(baton: string, close: boolean): Open | undefined {
    const open = this.#streams.get(baton);
    if (!open) return undefined;
    clearTimeout(open.timer);
    this.#streams.delete(baton);
    if (close) void open.stream.close().catch(() => {});
    return open;
  }

  /** Runs a pipeline on `database`, on the stream `baton` names or a new one. */
  async pipeline(
    database: string,
    baton: string | null | undefined,
    requests: readonly StreamRequest[],
  ): Promise<{ baton: string | null; results: StreamResult[] }> {
    let open: Open | undefined;
    if (baton) {
      const found = this.#streams.get(baton);
      if (!found || found.database !== database)
        throw new BuntimeError("BUNTIME_ERR_DATABASE_STREAM_EXPIRED");
      open = this.#drop(baton, false);
    }
    open ??= { database, stream: await this.#open(database) };
    const results: StreamResult[] = [];
    for (const request of requests) results.push(await open.stream.handle(request));
    if (requests.some((request) => request.type === "close")) {
      await open.stream.close();
      return { baton: null, results };
    }
    const next = randomBytes(24).toString("base64url");
    open.timer = setTimeout(() => this.#drop(next, true), this.#options.streamTimeout);
    open.timer.unref();
    this.#streams.set(next, open);
    return { baton: next, results };
  }

  /** The tables and views of `database`'s schema with their columns, read as its role. */
  async tables(database: string): Promise<TableInfo[]> {
    const pool = await this.#pool(database);
    const rows = (await pool.unsafe(TABLES, [schemaOf(database)])) as {
      table: string;
      kind: string;
      name: string;
      type: string;
      not_null: boolean;
      primary_key: boolean;
    }[];
    const tables = new Map<string, TableInfo & { columns: TableInfo["columns"][number][] }>();
    for (const row of rows) {
      let table = tables.get(row.table);
      if (!table) {
        table = {
          name: row.table,
          kind: row.kind === "v" || row.kind === "m" ? "view" : "table",
          columns: [],
        };
        tables.set(row.table, table);
      }
      table.columns.push({
        name: row.name,
        type: row.type,
        notNull: row.not_null,
        primaryKey: row.primary_key,
      });
    }
    return [...tables.values()];
  }

  /** Runs one console statement on `database` in a stream of its own, under its role, limit and quota. */
  async query(database: string, sql: string, maxRows: number): Promise<QueryResult> {
    const stream = await this.#open(database);
    try {
      const outcome = await stream.query(sql, maxRows);
      if ("failure" in outcome) throw new StatementError(outcome.failure);
      return outcome.result;
    } finally {
      await stream.close().catch(() => {});
    }
  }

  /** The databases on the server: each schema of ours is labelled with its database's name. */
  async list(): Promise<string[]> {
    const rows = (await this.#admin.unsafe(
      `SELECT nspname AS schema, obj_description(oid, 'pg_namespace') AS name FROM pg_namespace
        WHERE nspname LIKE 'buntime\\_db\\_%' AND obj_description(oid, 'pg_namespace') IS NOT NULL ORDER BY 1`,
    )) as { schema: string; name: string }[];
    // the role owns its schema and could relabel it: a label counts only where it hashes to the schema
    return rows.filter((row) => schemaOf(row.name) === row.schema).map((row) => row.name);
  }

  /** Writes `database` as a SQL dump of ours (no pg_dump) to the file `to`, from one snapshot. */
  async backup(database: string, to: string): Promise<DumpSummary> {
    const pool = await this.#pool(database);
    const writer = Bun.file(to).writer();
    try {
      const summary = await dumpSchema(pool, schemaOf(database), (line) => {
        writer.write(`${line}\n`);
      });
      await writer.end();
      if (Object.keys(summary.skipped).length > 0)
        this.#options.logger.warn(
          `database ${database}: the backup leaves out ${JSON.stringify(summary.skipped)}`,
        );
      return summary;
    } catch (error) {
      await writer.end();
      throw new BuntimeError("BUNTIME_ERR_DATABASE_FAILED", {
        database,
        details: `the backup failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  /** Replaces `database`'s tables, views, sequences and types with the dump in file `from`. */
  async restore(database: string, from: string): Promise<void> {
    const pool = await this.#pool(database);
    try {
      // migrations newer than the backup are applied again, in the same transaction
      const migrations = await this.#options.migrationsOf(database.split("/")[0] ?? database);
      const schema = schemaOf(database);
      await restoreSchema(pool, schema, await Bun.file(from).text(), (tx) =>
        applyMigrations(tx, schema, migrations),
      );
    } catch (error) {
      throw new BuntimeError("BUNTIME_ERR_DATABASE_FAILED", {
        database,
        details: `the restore failed, nothing was changed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  /** Rolls back open streams and closes the pool. */
  async close(): Promise<void> {
    for (const baton of [...this.#streams.keys()]) this.#drop(baton, true);
    const pools = await Promise.all([...this.#pools.values()].map((pool) => pool.catch(() => undefined)));
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool?.close()));
    await this.#admin.close();
  }
}
