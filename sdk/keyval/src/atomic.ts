/** `atomic()`: checks and writes sent as one batch, applied all together or not at all. */
import { KvError, type Transport } from "./http.ts";

/** What `commit()` tells: the new version, or that a check failed (nothing changed). */
export type CommitResult = { ok: true; version: string } | { ok: false; key: string };

type Operation = Record<string, unknown> & { type: string; key: string };

/** A batch being built. */
export class AtomicOperation {
  readonly #http: Transport;
  readonly #operations: Operation[] = [];

  constructor(http: Transport) {
    this.#http = http;
  }

  /** The commit fails unless `key` is still at `version` (null: absent). */
  check(...checks: { key: string; version: string | null }[]): this {
    for (const { key, version } of checks) this.#operations.push({ type: "check", key, version });
    return this;
  }

  set(key: string, value: unknown, options: { expireIn?: number } = {}): this {
    this.#operations.push({ type: "set", key, value, ttl: options.expireIn });
    return this;
  }

  delete(key: string): this {
    this.#operations.push({ type: "delete", key });
    return this;
  }

  /** Adds `n` to the number under `key` (absent: 0). */
  sum(key: string, n: number): this {
    this.#operations.push({ type: "sum", key, value: n });
    return this;
  }

  min(key: string, n: number): this {
    this.#operations.push({ type: "min", key, value: n });
    return this;
  }

  max(key: string, n: number): this {
    this.#operations.push({ type: "max", key, value: n });
    return this;
  }

  /** Applies the batch; `{ ok: false, key }` when a check failed, and nothing changed. */
  async commit(): Promise<CommitResult> {
    try {
      const { version } = await this.#http.json<{ version: string }>("/batch", {
        method: "POST",
        body: JSON.stringify({ operations: this.#operations }),
      });
      return { ok: true, version };
    } catch (error) {
      if (error instanceof KvError && error.code === "BUNTIME_ERR_STORAGE_VERSION_MISMATCH") {
        const key = /failed on (.*): it changed/.exec(error.message)?.[1] ?? "";
        return { ok: false, key };
      }
      throw error;
    }
  }
}
