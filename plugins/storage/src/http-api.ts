/**
 * The HTTP API at the plugin's base, for apps in workers. Every request must carry the calling
 * app's token; the app then reads and writes its own namespace (`app/<name>`), and the shared
 * spaces (`shared/<space>`) the config grants it under `/api/shared/<space>/`. Versions travel as ETags: `If-Match` makes a write conditional, `If-None-Match: *` makes it create-only.
 */
import {
  type BatchOperation,
  BuntimeError,
  type CommitResult,
  type KeyValueStore,
  type KvEntry,
  type Logger,
  type RequestContext,
  type ServiceAccess,
} from "@buntime/sdk";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requireApp } from "./app-identity.ts";
import type { NamespaceUsage } from "./backend.ts";
import type { QueueOptions } from "./queue.ts";
import { addQueueRoutes } from "./queue-api.ts";
import { batchBody, storageDescriptions as describe, listQuery, ttlQuery } from "./route-descriptions.ts";
import { authorizeSpace, type SharedSpaces, spaceOfPath } from "./shared-spaces.ts";

/** Options of the HTTP API. */
export interface StorageApiOptions {
  /** The plugin's services, where the router's `apps` service names the calling app. */
  readonly services: ServiceAccess;
  readonly logger: Logger;
  readonly maxValueBytes: number;
  readonly maxBatchBytes: number;
  /** What a namespace (`app/<name>` or `shared/<space>`) holds now, for its quota. */
  readonly usage: (namespace: string) => Promise<NamespaceUsage>;
  /** Each app's quota, and each shared space's: keys and bytes. */
  readonly quota: { readonly keys: number; readonly bytes: number };
  /** How queues deliver and how often watches poll. */
  readonly queues: QueueOptions & { watchInterval: number };
  /** The shared spaces and which apps may read and write them. */
  readonly sharedSpaces: SharedSpaces;
}

type Env = { Bindings: RequestContext; Variables: { store: KeyValueStore } };

const etag = (version: string) => `"${version}"`;

/** The version a conditional request asks for: undefined (none), null (absent) or a version. */
function requestedVersion(c: Context): string | null | undefined {
  const ifNoneMatch = c.req.header("if-none-match");
  if (ifNoneMatch?.trim() === "*") return null;
  const ifMatch = c.req.header("if-match");
  if (ifMatch === undefined) return undefined;
  const version = /^\s*(?:W\/)?"?(\d{1,20})"?\s*$/.exec(ifMatch)?.[1];
  if (version === undefined) {
    throw new BuntimeError("BUNTIME_ERR_STORAGE_REQUEST_INVALID", {
      details: 'If-Match must be an ETag from a read, as in If-Match: "00000000000000000042"',
    });
  }
  return version;
}

function committed(c: Context, key: string, result: CommitResult, status: 200 | 204 = 200): Response {
  if (!result.ok) throw new BuntimeError("BUNTIME_ERR_STORAGE_VERSION_MISMATCH", { key: result.key });
  if (status === 204) return c.body(null, 204, { etag: etag(result.version) });
  return c.json({ key, version: result.version }, 200, { etag: etag(result.version) });
}

function entryJson(entry: KvEntry) {
  return { key: entry.key, value: entry.value, version: entry.version, expiresAt: entry.expiresAt };
}

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new BuntimeError("BUNTIME_ERR_STORAGE_REQUEST_INVALID", { details: "the body is not JSON" });
  }
}

const numberOf = (value: string | undefined) => (value === undefined ? undefined : Number(value));

function tooLarge(what: string, limit: number) {
  return (c: Context): never => {
    const size = c.req.header("content-length") ?? `over ${limit}`;
    throw new BuntimeError("BUNTIME_ERR_STORAGE_VALUE_TOO_LARGE", { key: what, size, limit });
  };
}

/** Adds `GET <base>/keys` (a page of a prefix) and `POST <base>/batch` (atomic operations) to `api`. */
function addListAndBatch(api: Hono<Env>, base: string, maxBatchBytes: number): void {
  api.get(`${base}/keys`, describe.listKeys, listQuery, async (c) => {
    const query = c.req.valid("query");
    const page = await c.var.store.list({
      prefix: query.prefix ?? "",
      cursor: query.cursor || undefined,
      limit: numberOf(query.limit),
    });
    return c.json({ entries: page.entries.map(entryJson), cursor: page.cursor });
  });

  api.post(
    `${base}/batch`,
    describe.batch,
    bodyLimit({ maxSize: maxBatchBytes, onError: tooLarge("the batch", maxBatchBytes) }),
    batchBody,
    async (c) => {
      const result = await c.var.store.batch(c.req.valid("json").operations as BatchOperation[]);
      if (!result.ok) throw new BuntimeError("BUNTIME_ERR_STORAGE_VERSION_MISMATCH", { key: result.key });
      return c.json({ version: result.version });
    },
  );
}

/**
 * Builds the API (the plugin's `routes`, mounted at its base); `root` is the store whose
 * `app/<name>` namespaces apps get.
 */
export function createStorageApi(root: KeyValueStore, options: StorageApiOptions): Hono<Env> {
  const apps = root.namespace("app");
  const shared = root.namespace("shared");
  const { logger, services } = options;
  const api = new Hono<Env>();

  api.onError((error) => {
    if (error instanceof BuntimeError) {
      if (error.code === "BUNTIME_ERR_STORAGE_BACKEND_FAILED") {
        logger.error(error.message, { code: error.code, cause: error.cause });
      }
      return error.getResponse();
    }
    logger.error("unexpected storage failure", { cause: error });
    return new BuntimeError("BUNTIME_ERR_INTERNAL", {}, { cause: error }).getResponse();
  });

  api.use("/api/*", async (c, next) => {
    const app = requireApp(c.req.raw, services);
    // the middleware's route is "<base>/api/*": what follows "<base>/api/" says whose keys these are
    const space = spaceOfPath(c.req.path, c.req.routePath.replace(/\*$/, ""));
    // a space is checked before anything is read or written; HEAD and GET only read
    if (space !== undefined)
      authorizeSpace(options.sharedSpaces, space, app, !/^(GET|HEAD)$/.test(c.req.method));
    // writes that may add keys wait for room under the quota of where they land (the app's own
    // namespace, or the shared space, which has a quota of its own); reads and deletes never do
    if (c.req.method === "PUT" || (c.req.method === "POST" && !/\/(receive|ack|nack)$/.test(c.req.path))) {
      const used = await options.usage(space === undefined ? `app/${app}` : `shared/${space}`);
      for (const what of ["keys", "bytes"] as const) {
        if (used[what] >= options.quota[what]) {
          throw new BuntimeError("BUNTIME_ERR_STORAGE_QUOTA_EXCEEDED", {
            app: space === undefined ? app : `${app} (writing shared space ${space})`,
            used: used[what],
            what,
            limit: options.quota[what],
          });
        }
      }
    }
    c.set("store", space === undefined ? apps.namespace(app) : shared.namespace(space));
    await next();
  });

  // lists and batches, like single keys, in the app's own namespace or a shared space
  for (const base of ["/api", "/api/shared/:space"]) addListAndBatch(api, base, options.maxBatchBytes);

  // one key, in the app's own namespace or in a shared space (the middleware chose the store)
  for (const path of ["/api/keys/:key{.+}", "/api/shared/:space/keys/:key{.+}"] as const) {
    api.get(path, describe.getKey, async (c) => {
      const key = c.req.param("key");
      const entry = await c.var.store.get(key);
      if (!entry) throw new BuntimeError("BUNTIME_ERR_STORAGE_KEY_NOT_FOUND", { key });
      return c.json(entryJson(entry), 200, { etag: etag(entry.version) });
    });

    api.put(
      path,
      describe.putKey,
      ttlQuery,
      bodyLimit({
        maxSize: options.maxValueBytes,
        onError: tooLarge("the request body", options.maxValueBytes),
      }),
      async (c) => {
        const key = c.req.param("key");
        const version = requestedVersion(c);
        const value = await readJson(c);
        const ttl = numberOf(c.req.valid("query").ttl);
        return committed(c, key, await c.var.store.set(key, value, { ttl, version }));
      },
    );

    api.delete(path, describe.deleteKey, async (c) => {
      const key = c.req.param("key");
      return committed(c, key, await c.var.store.delete(key, { version: requestedVersion(c) }), 204);
    });
  }

  addQueueRoutes(api, options.queues);

  // The base is the plugin's own: a path under it that no route takes is a coded 404 here.
  api.all("*", (c) => new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: c.req.path }).getResponse());

  return api;
}
