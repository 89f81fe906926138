import type { Logger } from "@buntime/sdk";
import { RedisClient, type SQL } from "bun";

/**
 * Tells the other nodes that a new generation exists. Only a hint: a node that misses one still
 * converges on its next reconcile (boot, reconnect, timer).
 */
export interface Hints {
  /** Starts listening; `onHint` gets the generation announced, `onReconnect` runs after each reconnect. */
  start(): Promise<void>;
  /** Announces `generation`; a failure is logged, never thrown (the timer covers it). */
  announce(generation: number): Promise<void>;
  stop(): Promise<void>;
}

/** The longest an announcement may take before it is given up (the timer covers a lost hint). */
const ANNOUNCE_TIMEOUT_MS = 1_000;

/** The channel both transports use. */
export const HINT_CHANNEL = "buntime_cluster_generation";

/** What a hint transport calls back. */
export interface HintHandlers {
  onHint(generation: number): void;
  onReconnect(): void;
  readonly logger: Logger;
}

function parseGeneration(payload: string): number | undefined {
  const generation = Number(payload);
  return Number.isSafeInteger(generation) && generation > 0 ? generation : undefined;
}

/** Hints over PostgreSQL `LISTEN/NOTIFY` (Bun re-subscribes after a dropped connection). */
export function postgresHints(sql: SQL, handlers: HintHandlers): Hints {
  let subscription: SQL.ListenSubscription | undefined;
  let first = true;
  return {
    async start() {
      subscription = await sql.listen(
        HINT_CHANNEL,
        (payload) => {
          const generation = parseGeneration(payload);
          if (generation !== undefined) handlers.onHint(generation);
        },
        () => {
          if (!first) handlers.onReconnect();
          first = false;
        },
      );
    },
    async announce(generation) {
      await sql.notify(HINT_CHANNEL, String(generation)).catch((error: unknown) => {
        handlers.logger.warn(`could not announce generation ${generation}: ${(error as Error).message}`);
      });
    },
    async stop() {
      await subscription?.unlisten().catch(() => undefined);
    },
  };
}

/**
 * Hints over Redis pub/sub. The subscriber reconnects on its own schedule (from 100 ms, doubling,
 * at most `maxDelay`) and resubscribes, then calls `onReconnect`, so a node that was cut off
 * reconciles at once instead of waiting for its timer.
 */
export function redisHints(url: string, maxDelay: number, handlers: HintHandlers): Hints {
  let subscriber: RedisClient | undefined;
  let publisher: RedisClient | undefined;
  let stopped = false;
  let delay = 100;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = async (again: boolean): Promise<void> => {
    const client = new RedisClient(url, {
      autoReconnect: false,
      enableOfflineQueue: false,
      connectionTimeout: 2_000,
    });
    subscriber = client;
    client.onclose = () => {
      if (stopped || subscriber !== client) return;
      handlers.logger.warn(`lost Redis hints at ${new URL(url).host}; reconnecting in ${delay} ms`);
      retry();
    };
    try {
      await client.connect();
      await client.subscribe(HINT_CHANNEL, (message) => {
        const generation = parseGeneration(message);
        if (generation !== undefined) handlers.onHint(generation);
      });
    } catch (error) {
      client.onclose = null;
      client.close();
      handlers.logger.warn(
        `no Redis hints from ${new URL(url).host} (${(error as Error).message}); retrying in ${delay} ms`,
      );
      retry();
      return;
    }
    delay = 100;
    if (again) handlers.onReconnect();
  };
  const retry = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect(true);
    }, delay);
    delay = Math.min(delay * 2, maxDelay);
  };

  return {
    start: () => connect(false),
    async announce(generation) {
      const publish = async () => {
        if (!publisher) {
          publisher = new RedisClient(url, { connectionTimeout: 2_000, enableOfflineQueue: false });
          await publisher.connect();
        }
        await publisher.publish(HINT_CHANNEL, String(generation));
      };
      // a hint that cannot go out soon is dropped: the timer covers it, and nothing waits on a dead Redis
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${ANNOUNCE_TIMEOUT_MS} ms`)),
          ANNOUNCE_TIMEOUT_MS,
        );
      });
      try {
        await Promise.race([publish(), late]);
      } catch (error) {
        publisher?.close();
        publisher = undefined;
        handlers.logger.warn(
          `could not announce generation ${generation} on Redis: ${(error as Error).message}`,
        );
      } finally {
        clearTimeout(timer);
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      subscriber?.close();
      publisher?.close();
    },
  };
}
