/**
 * Every app database (an app's own, and its tenants' as `<app>/<tenant>`; below, "app" names the
 * database): its process (started on first use, after the app's migrations), and the
 * open streams of the protocol, each named to its client by a baton that changes with every answer
 * and is good only for the app that opened the stream.
 */
import { Database } from "bun:sqlite";
import { randomBytes, randomUUID } from "node:crypto";
import { copyFileSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { BuntimeError, type Logger } from "@buntime/sdk";
import { databaseFile, listDatabaseFiles } from "./database-files.ts";
import { DatabaseProcess } from "./engine/host.ts";
import type { Migration } from "./engine/migrations.ts";
import {
  type BackupNote,
  type DatabaseEngine,
  type QueryResult,
  StatementError,
  type StatementFailure,
  type TableInfo,
} from "./engine.ts";
import type { StreamRequest, StreamResult } from "./protocol.ts";

/** What the databases need to know. */
export interface DatabasesOptions {
  readonly dir: string;
  readonly maxDatabaseBytes: number;
  readonly statementTimeout: number;
  readonly streamTimeout: number;
  readonly idleTimeout: number;
  readonly logger: Logger;
  /** The app's migrations, read when its database process starts. */
  readonly migrationsOf: (app: string) => Promise<Migration[]>;
}

/** How long a start may take, migrations and the wait for another kernel's included. */
const OPEN_TIMEOUT = 60_000;

interface Stream {
  readonly app: string;
  readonly id: string;
  readonly process: DatabaseProcess;
  timer?: Timer;
}

/**
 * Who holds a database's transaction: the stream whose connection is inside one. While it does,
 * other streams' requests wait for it (at most until its stream times out) rather than meet
 * "database is locked", since one process serves them all and cannot wait inside SQLite.
 */
interface Gate {
  holder?: string;
  readonly waiters: (() => void)[];
}

interface Running {
  readonly process: Promise<DatabaseProcess>;
  /** The process, once started. */
  current?: DatabaseProcess;
  idle?: Timer;
}

/** The app databases of one plugin instance, on SQLite. */
export class Databases implements DatabaseEngine {
  readonly #options: DatabasesOptions;
  readonly #running = new Map<string, Running>();
  readonly #streams = new Map<string, Stream>();
  readonly #gates = new Map<string, Gate>();
  /** Databases being restored: their next process waits for the new file. */
  readonly #paused = new Map<string, Promise<void>>();

  constructor(options: DatabasesOptions) {
    this.#options = options;
  }

  /** The running process of `app`'s database, started (and migrated) on first use. */
  async #process(app: string): Promise<DatabaseProcess> {
    await this.#paused.get(app);
    const running = this.#running.get(app);
    if (running) {
      const process = await running.process;
      if (process.alive) return process;
    }
    const started = this.#start(app);
    const entry: Running = { process: started };
    this.#running.set(app, entry);
    started.then(
      (process) => {
        entry.current = process;
      },
      () => {
        if (this.#running.get(app) === entry) this.#running.delete(app);
      },
    );
    return started;
  }

  async #start(app: string): Promise<DatabaseProcess> {
    const { dir, maxDatabaseBytes } = this.#options;
    const process = new DatabaseProcess(app, (ended) => {
      if (this.#running.get(app)?.current === ended) this.#running.delete(app);
      for (const [baton, stream] of this.#streams) if (stream.process === ended) this.#drop(baton);
    });
    try {
      // every database of an app (its tenants' too) gets the app's migrations
      const migrations = await this.#options.migrationsOf(app.split("/")[0] ?? app);
      const path = databaseFile(dir, app);
      mkdirSync(dirname(path), { recursive: true });
      const opened = await process.call<{ applied: string[] }>(
        { kind: "open", database: app, path, maxBytes: maxDatabaseBytes, migrations },
        OPEN_TIMEOUT,
      );
      if (opened.applied.length > 0)
        this.#options.logger.info(`database ${app}: applied ${opened.applied.join(", ")}`);
      return process;
    } catch (error) {
      process.kill();
      throw error;
    }
  }

  #drop(baton: string, ending = true): Stream | undefined {
    const stream = this.#streams.get(baton);
    if (stream) clearTimeout(stream.timer);
    this.#streams.delete(baton);
    if (stream && ending) this.#release(stream);
    return stream;
  }

  #gate(app: string): Gate {
    let gate = this.#gates.get(app);
    if (!gate) {
      gate = { waiters: [] };
      this.#gates.set(app, gate);
    }
    return gate;
  }

  /** Waits while another stream of `stream.app` holds a transaction. */
  async #enter(stream: { app: string; id: string }): Promise<void> {
    const gate = this.#gate(stream.app);
    while (gate.holder !== undefined && gate.holder !== stream.id) {
      await new Promise<void>((resolve) => gate.waiters.push(resolve));
    }
  }

  /** `stream` holds no transaction any more: the next waiters go. */
  #release(stream: { app: string; id: string }): void {
    const gate = this.#gates.get(stream.app);
    if (gate?.holder !== stream.id) return;
    gate.holder = undefined;
    for (const wake of gate.waiters.splice(0)) wake();
  }

  /** Stops `app`'s process when it has had no request for a while and no stream is open. */
  #touch(app: string, process: DatabaseProcess): void {
    const running = this.#running.get(app);
    if (!running) return;
    clearTimeout(running.idle);
    running.idle = setTimeout(() => {
      if ([...this.#streams.values()].some((stream) => stream.process === process))
        return this.#touch(app, process);
      process.kill();
    }, this.#options.idleTimeout);
    running.idle.unref();
  }

  /**
   * Runs a pipeline for `app`: on the stream `baton` names, or on a new one. Returns the results
   * and the baton for the next request (null once the stream is closed).
   */
  async pipeline(
    app: string,
    baton: string | null | undefined,
    requests: readonly StreamRequest[],
  ): Promise<{ baton: string | null; results: StreamResult[] }> {
    let stream: Stream | undefined;
    if (baton) {
      const found = this.#streams.get(baton);
      // another app's baton is as unknown as an expired one: nothing tells it the baton exists
      if (!found || found.app !== app || !found.process.alive)
        throw new BuntimeError("BUNTIME_ERR_DATABASE_STREAM_EXPIRED");
      stream = this.#drop(baton, false);
    }
    const id = stream?.id ?? randomUUID();
    await this.#enter({ app, id });
    stream ??= { app, id, process: await this.#process(app) };
    let reply: { results: StreamResult[]; closed: boolean; inTransaction: boolean };
    try {
      reply = await stream.process.call(
        { kind: "pipeline", stream: stream.id, requests },
        this.#options.statementTimeout,
      );
    } catch (error) {
      this.#release(stream);
      throw error;
    }
    this.#touch(app, stream.process);
    if (reply.inTransaction) this.#gate(app).holder = stream.id;
    else this.#release(stream);
    if (reply.closed) return { baton: null, results: reply.results };
    const next = randomBytes(24).toString("base64url");
    const open = stream;
    open.timer = setTimeout(() => {
      this.#drop(next);
      open.process.call({ kind: "close", stream: open.id }, this.#options.statementTimeout).catch(() => {});
    }, this.#options.streamTimeout);
    open.timer.unref();
    this.#streams.set(next, open);
    return { baton: next, results: reply.results };
  }

  /** Runs `work` on a stream of its own once no other stream of `app` holds a transaction. */
  async #alone<T>(app: string, work: (process: DatabaseProcess, stream: string) => Promise<T>): Promise<T> {
    const stream = { app, id: randomUUID() };
    await this.#enter(stream);
    const process = await this.#process(app);
    try {
      return await work(process, stream.id);
    } finally {
      this.#release(stream);
      this.#touch(app, process);
    }
  }

  /** The tables and views of `app`'s database with their columns. */
  tables(app: string): Promise<TableInfo[]> {
    return this.#alone(app, (process) =>
      process.call<TableInfo[]>({ kind: "tables" }, this.#options.statementTimeout),
    );
  }

  /** Runs one console statement on `app`'s database, as its own stream. */
  async query(app: string, sql: string, maxRows: number): Promise<QueryResult> {
    const outcome = await this.#alone(app, (process, stream) =>
      process.call<{ result: QueryResult } | { failure: StatementFailure }>(
        { kind: "query", stream, sql, maxRows },
        this.#options.statementTimeout,
      ),
    );
    if ("failure" in outcome) throw new StatementError(outcome.failure);
    return outcome.result;
  }

  /** The databases with a file, sorted. */
  async list(): Promise<string[]> {
    return listDatabaseFiles(this.#options.dir);
  }

  /**
   * Puts the backup file `from` in place of `app`'s database: checked first, then the process is
   * ended (open transactions roll back) and the file swapped; requests meanwhile wait.
   */
  async restore(app: string, from: string): Promise<void> {
    let check: Database | undefined;
    try {
      check = new Database(from, { readonly: true });
      const verdict = check.query<{ quick_check: string }, []>("PRAGMA quick_check").get();
      if (verdict?.quick_check !== "ok") throw new Error(verdict?.quick_check ?? "no verdict");
    } catch (error) {
      throw new BuntimeError("BUNTIME_ERR_DATABASE_FAILED", {
        database: app,
        details: `the backup is not a sound SQLite database (${(error as Error).message}); nothing was changed`,
      });
    } finally {
      check?.close(false);
    }
    let resume = () => {};
    this.#paused.set(app, new Promise<void>((resolve) => (resume = resolve)));
    try {
      const running = this.#running.get(app);
      this.#running.delete(app);
      const process = await running?.process.catch(() => undefined);
      if (process) {
        clearTimeout(running?.idle);
        process.kill();
        await process.exited;
      }
      const path = databaseFile(this.#options.dir, app);
      mkdirSync(dirname(path), { recursive: true });
      copyFileSync(from, `${path}.restoring`);
      for (const suffix of ["-wal", "-shm"]) rmSync(path + suffix, { force: true });
      renameSync(`${path}.restoring`, path);
    } finally {
      this.#paused.delete(app);
      resume();
    }
  }

  /** Copies `app`'s database to `to` with VACUUM INTO: a consistent copy while apps write. */
  async backup(app: string, to: string): Promise<BackupNote> {
    const process = await this.#process(app);
    await process.call({ kind: "backup", to }, OPEN_TIMEOUT);
    this.#touch(app, process);
    return {};
  }

  /** Ends every process; open transactions are rolled back. */
  async close(): Promise<void> {
    for (const baton of [...this.#streams.keys()]) this.#drop(baton);
    const running = [...this.#running.values()];
    this.#running.clear();
    for (const entry of running) {
      clearTimeout(entry.idle);
      (await entry.process.catch(() => undefined))?.kill();
    }
  }
}
