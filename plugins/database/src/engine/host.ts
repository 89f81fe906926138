/**
 * The plugin's side of a database process: spawns it, pairs requests with replies, and kills it
 * when a request runs past its time limit (the only way to stop a statement inside bun:sqlite,
 * which has no interrupt: a thread cannot be stopped in native code, a process can).
 */

import { BuntimeError } from "@buntime/sdk";
import type { Subprocess } from "bun";
import type { EngineReply, EngineRequest } from "./messages.ts";

const ENTRY = new URL("./process.ts", import.meta.url).pathname;

type Body<T> = T extends unknown ? Omit<T, "id"> : never;
type Pending = { resolve(value: unknown): void; reject(error: Error): void; timer: Timer };

/** One running database process. */
export class DatabaseProcess {
  readonly #database: string;
  readonly #child: Subprocess;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #gone: Error | undefined;

  constructor(database: string, onExit: (process: DatabaseProcess) => void) {
    this.#database = database;
    this.#child = Bun.spawn({
      cmd: [process.execPath, ENTRY],
      stdio: ["ignore", "inherit", "inherit"],
      serialization: "advanced",
      ipc: (reply: EngineReply) => this.#settle(reply),
      onExit: (_child, code, signal) => {
        this.#gone ??= new BuntimeError("BUNTIME_ERR_DATABASE_FAILED", {
          database,
          details: `its process ended (${signal ?? `exit code ${code}`})`,
        });
        for (const [id, pending] of this.#pending) this.#fail(id, pending, this.#gone);
        onExit(this);
      },
    });
  }

  /** Resolves once the process has ended. */
  get exited(): Promise<unknown> {
    return this.#child.exited;
  }

  /** False once the process ended or was killed: its streams are gone. */
  get alive(): boolean {
    return this.#gone === undefined;
  }

  /**
   * Sends `request`; past `timeout` ms the process is killed (undoing what the request began)
   * and the promise rejects with `BUNTIME_ERR_DATABASE_TIMEOUT`.
   */
  call<T>(request: Body<EngineRequest>, timeout: number): Promise<T> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#gone = new BuntimeError("BUNTIME_ERR_DATABASE_TIMEOUT", {
          database: this.#database,
          ms: timeout,
        });
        this.#fail(id, this.#pending.get(id), this.#gone);
        this.kill();
      }, timeout);
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.#child.send({ ...request, id });
    });
  }

  /** Ends the process at once; SQLite rolls back what it left unfinished when the file is next opened. */
  kill(): void {
    this.#gone ??= new BuntimeError("BUNTIME_ERR_DATABASE_FAILED", {
      database: this.#database,
      details: "it was closed",
    });
    this.#child.kill("SIGKILL");
  }

  #fail(id: number, pending: Pending | undefined, error: Error): void {
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#pending.delete(id);
    pending.reject(error);
  }

  #settle(reply: EngineReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.#pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.value);
    else if (reply.error.migration !== undefined) {
      pending.reject(
        new BuntimeError("BUNTIME_ERR_DATABASE_MIGRATION_FAILED", {
          database: this.#database,
          migration: reply.error.migration || "(setup)",
          details: reply.error.message,
        }),
      );
    } else {
      pending.reject(
        new BuntimeError("BUNTIME_ERR_DATABASE_FAILED", {
          database: this.#database,
          details: reply.error.message,
        }),
      );
    }
  }
}
