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
import type { StreamRequest, StreamResult } from "../protocol.ts";
import { ensureRole, roleUrl } from "./roles.ts";
import { PgStream } from "./stream.ts";

/** What the PostgreSQL databases need. */
export interface PgDatabasesOptions {
  readonly url: string;
  readonly statementTimeout: number;
  readonly streamTimeout: number;
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

/** The PostgreSQL side of the plugin. */
export class PgDatabases {
  readonly #options: PgDatabasesOptions;
  /** The administrator's pool: creates roles and schemas. */
  readonly #admin: SQL;
  /** Each database's pool, logged in as its own role. */
  readonly #pools = new Map<string, Promise<SQL>>();
  readonly #streams = new Map<string, Open>();

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
    let current = "";
    let pool: SQL | undefined;
    try {
      await ensureRole(this.#admin, this.#options.url, schema);
      pool = new SQL({ url: roleUrl(this.#options.url, schema), bigint: true, max: 10, idleTimeout: 60 });
      // as the role itself, so what migrations create is its own
      await pool.begin(async (tx) => {
        // kernels starting at once queue here, so each migration runs once
        await tx`SELECT pg_advisory_xact_lock(hashtextextended(${schema}, 0))`;
        await tx.unsafe(`SET LOCAL search_path TO "${schema}"`);
        await tx.unsafe(
          "CREATE TABLE IF NOT EXISTS _buntime_migrations (name text PRIMARY KEY, applied_at text NOT NULL)",
        );
        const rows = (await tx.unsafe("SELECT name FROM _buntime_migrations")) as { name: string }[];
        const seen = new Set(rows.map((r) => r.name));
        for (const migration of migrations) {
          if (seen.has(migration.name)) continue;
          current = migration.name;
          await tx.unsafe(migration.sql);
          await tx.unsafe("INSERT INTO _buntime_migrations (name, applied_at) VALUES ($1, $2)", [
            migration.name,
            new Date().toISOString(),
          ]);
          this.#options.logger.info(`database ${database}: applied ${migration.name}`);
        }
      });
      return pool;
    } catch (error) {
      await pool?.close();
      throw new BuntimeError("BUNTIME_ERR_DATABASE_MIGRATION_FAILED", {
        database,
        migration: current || "(setup)",
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
    return new PgStream(conn, database, this.#options.statementTimeout);
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

  /** Backups of PostgreSQL databases are the server's business (pg_dump), not the plugin's. */
  async backup(database: string): Promise<void> {
    throw new BuntimeError("BUNTIME_ERR_DATABASE_FAILED", {
      database,
      details: `backups of PostgreSQL databases are made on the server (pg_dump --schema ${schemaOf(database)})`,
    });
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
