/**
 * @buntime/plugin-storage: the `keyval` service (get, set with TTL, delete, list by prefix with
 * a cursor, check-and-set on version stamps, atomic batches) on SQLite (default, in the plugin's
 * data folder) or PostgreSQL, and an HTTP API at `/storage/api` through which each app reaches
 * its own namespace with its `BUNTIME_APP_TOKEN`.
 */
import { join } from "node:path";
import { BuntimeError, definePlugin } from "@buntime/sdk";
import type { KvBackend } from "./backend.ts";
import { storageConfigSchema } from "./config.ts";
import { createStorageApi } from "./http-api.ts";
import { createKeyValueStore } from "./keyval.ts";
import { openPostgresBackend } from "./postgres-backend.ts";
import { openQueue, type Queue, type QueueOptions } from "./queue.ts";
import { openSqliteBackend } from "./sqlite-backend.ts";
import { type KvChange, type WatchTarget, watch } from "./watch.ts";

/** The `queues` service: keyval queues and watches for plugins, on the root namespace. */
export interface QueueService {
  /** Queue `name` (use your plugin's name in it: the root is shared). */
  open(name: string, options?: Omit<QueueOptions, "now">): Queue;
  /** Calls `listener` with the current entries, then each change; returns a function that stops it. */
  watch(target: WatchTarget, listener: (changes: KvChange[]) => void): () => void;
}

declare module "@buntime/sdk" {
  interface Services {
    /** `@buntime/plugin-storage` */
    queues: QueueService;
  }
}

export type {
  BackendCommit,
  KeyRange,
  KvBackend,
  NamespaceUsage,
  RowWrite,
  StoredRow,
  VersionCheck,
} from "./backend.ts";
export type { ResolvedStorageConfig } from "./config.ts";
export { storageConfigSchema } from "./config.ts";
export type { KeyValueStoreOptions } from "./keyval.ts";
export { createKeyValueStore, MAX_BATCH_OPERATIONS, MAX_KEY_BYTES } from "./keyval.ts";
export { openPostgresBackend } from "./postgres-backend.ts";
export type { DeadMessage, Queue, QueueMessage, QueueOptions } from "./queue.ts";
export { openQueue, QUEUE_NAME } from "./queue.ts";
export { openSqliteBackend } from "./sqlite-backend.ts";
export type { KvChange, WatchTarget } from "./watch.ts";
export { MAX_WATCHED, watch } from "./watch.ts";

export default definePlugin({
  config: storageConfigSchema,
  async setup(ctx) {
    const { config } = ctx;
    let backend: KvBackend;
    if (config.backend === "postgres") {
      const url = config.url ?? process.env.DATABASE_URL;
      if (!url) {
        throw new BuntimeError("BUNTIME_ERR_CONFIG_INVALID", {
          source: ctx.name,
          details: 'backend "postgres" needs url (or env DATABASE_URL)',
        });
      }
      backend = await openPostgresBackend(url);
    } else {
      backend = openSqliteBackend(config.path ?? join(ctx.dataDir, "keyval.sqlite"));
    }
    const store = createKeyValueStore(backend, { maxValueBytes: config.maxValueBytes });
    // a database every node shares is swept by one node per tick; a SQLite file by its own node
    const sweeper = ctx.services.get("kernel:schedule").schedule({
      id: "sweep",
      every: config.sweepInterval,
      scope: config.backend === "postgres" ? "global" : "local",
      run: () =>
        backend
          .sweep(Date.now())
          .then(() => undefined)
          .catch((error) => ctx.logger.warn("sweep of expired keys failed", { cause: error })),
    });
    ctx.services.provide("keyval", store);
    const queueOptions = {
      maxAttempts: config.queueMaxAttempts,
      leaseMs: config.queueLeaseMs,
      retryDelayMs: config.queueRetryDelayMs,
    };
    ctx.services.provide("queues", {
      open: (name, options) => openQueue(store, name, { ...queueOptions, ...options }),
      watch: (target, listener) => watch(store, target, listener, config.watchInterval),
    } satisfies QueueService);
    ctx.logger.info(`keyval on ${backend.name}`);
    return {
      routes: createStorageApi(store, {
        services: ctx.services,
        logger: ctx.logger,
        maxValueBytes: config.maxValueBytes,
        maxBatchBytes: config.maxBatchBytes,
        queues: { ...queueOptions, watchInterval: config.watchInterval },
        usage: (namespace) => backend.usage(namespace, Date.now()),
        sharedSpaces: config.sharedSpaces,
        quota: { keys: config.appMaxKeys, bytes: config.appMaxBytes },
      }),
      async onShutdown() {
        await sweeper.stop();
        await backend.close();
      },
    };
  },
});
