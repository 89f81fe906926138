/**
 * The shared store: counters in Redis through `Bun.redis`'s client, each update one Lua script
 * so that concurrent requests on several kernels never lose a count.
 */

import type { RateLimitDecision } from "@buntime/sdk";
import { RedisClient } from "bun";
import { SLIDING_WINDOW_SCRIPT, TOKEN_BUCKET_SCRIPT } from "./redis-scripts.ts";
import type { RateLimitStore, ResolvedPolicy } from "./types.ts";

/** Options of the Redis store. */
export interface RedisStoreOptions {
  /** e.g. `redis://127.0.0.1:6379`. */
  readonly url: string;
  /** Put before every counter key. @default "buntime:ratelimit:" */
  readonly prefix?: string;
  /** Milliseconds to wait for a connection. @default 2000 */
  readonly connectionTimeout?: number;
  /** After a failed connection or command, milliseconds during which commands fail without trying. @default 1000 */
  readonly reconnectDelay?: number;
  /** Milliseconds a command may take before it counts as failed. @default 1000 */
  readonly commandTimeout?: number;
}

/** Rejects when `work` has not settled within `ms`, so a Redis that hangs cannot hold requests. */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** A script loaded once and then called by its SHA1, reloaded if Redis forgot it. */
function script(client: RedisClient, source: string) {
  const sha = new Bun.CryptoHasher("sha1").update(source).digest("hex");
  return async (key: string, args: string[]): Promise<number[]> => {
    try {
      return (await client.send("EVALSHA", [sha, "1", key, ...args])) as number[];
    } catch (error) {
      if (!String((error as Error)?.message).includes("NOSCRIPT")) throw error;
      return (await client.send("EVAL", [source, "1", key, ...args])) as number[];
    }
  };
}

/**
 * Counters in Redis, shared by every kernel that uses the same server and prefix.
 *
 * @example
 * const store = createRedisStore({ url: "redis://cache.internal:6379" });
 */
export function createRedisStore(options: RedisStoreOptions): RateLimitStore {
  // No offline queue: while Redis is away, commands fail at once (and the plugin fails open)
  // rather than piling up. Connecting is explicit, on the first command after a loss.
  const client = new RedisClient(options.url, {
    autoReconnect: false,
    enableOfflineQueue: false,
    connectionTimeout: options.connectionTimeout ?? 2000,
  });
  const reconnectDelay = options.reconnectDelay ?? 1000;
  let connecting: Promise<void> | undefined;
  // After a failed connection, fail at once until this time, so that an outage does not cost
  // every request a connection timeout.
  let downUntil = 0;
  const ready = async () => {
    const wait = downUntil - Date.now();
    if (wait > 0) throw new Error(`unreachable; next attempt in ${wait} ms`);
    if (client.connected) return;
    connecting ??= client
      .connect()
      .catch((error) => {
        downUntil = Date.now() + reconnectDelay;
        throw error;
      })
      .finally(() => {
        connecting = undefined;
      });
    await connecting;
  };
  const commandTimeout = options.commandTimeout ?? 1000;
  /** A command bounded in time; one that times out makes the next ones fail fast for a while. */
  const command = <T>(work: Promise<T>): Promise<T> =>
    within(work, commandTimeout).catch((error) => {
      if (String(error?.message).startsWith("no answer within")) downUntil = Date.now() + reconnectDelay;
      throw error;
    });
  const prefix = options.prefix ?? "buntime:ratelimit:";
  const bucket = script(client, TOKEN_BUCKET_SCRIPT);
  const window = script(client, SLIDING_WINDOW_SCRIPT);
  return {
    name: "redis",
    async consume(
      key: string,
      policy: ResolvedPolicy,
      cost: number,
      now: number,
    ): Promise<RateLimitDecision> {
      await ready();
      const run = policy.algorithm === "token-bucket" ? bucket : window;
      const args = [policy.capacity, policy.limit, policy.window, cost, now].map(String);
      const [allowed, remaining, resetMs, retryAfterMs] = (await command(run(prefix + key, args))).map(
        Number,
      );
      return {
        policy: policy.name,
        allowed: allowed === 1,
        limit: policy.capacity,
        remaining: remaining ?? 0,
        resetMs: resetMs ?? 0,
        retryAfterMs: retryAfterMs ?? 0,
        windowMs: policy.window,
      };
    },
    async reset(key) {
      await ready();
      await command(client.del(prefix + key));
    },
    close() {
      client.close();
    },
  };
}
