/**
 * The queue and watch routes of the HTTP API, for apps: each app's queues and keys live in its
 * own namespace (the store the auth middleware put in `c.var.store`).
 */
import { BuntimeError, type KeyValueStore, type RequestContext } from "@buntime/sdk";
import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { openQueue, type QueueOptions } from "./queue.ts";
import { storageDescriptions as describe } from "./route-descriptions.ts";
import { watch } from "./watch.ts";

type Env = { Bindings: RequestContext; Variables: { store: KeyValueStore } };

async function body(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (text.trim() === "") return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {}
  throw new BuntimeError("BUNTIME_ERR_STORAGE_REQUEST_INVALID", {
    details: "the body must be a JSON object",
  });
}

/** Adds `/api/queues/*`, `/api/watch` and `/api/shared/<space>/watch` to `api`. */
export function addQueueRoutes(api: Hono<Env>, options: QueueOptions & { watchInterval: number }): void {
  const queue = (store: KeyValueStore, name: string) => openQueue(store, name, options);

  api.post("/api/queues/:name", describe.enqueue, async (c) => {
    const { value, delay } = await body(c.req.raw);
    if (value === undefined)
      throw new BuntimeError("BUNTIME_ERR_STORAGE_REQUEST_INVALID", {
        details: 'the body must be { "value": ..., "delay"?: ms }',
      });
    const id = await queue(c.var.store, c.req.param("name")).enqueue(value, {
      delay: delay as number | undefined,
    });
    return c.json({ id }, 201);
  });

  api.post("/api/queues/:name/receive", describe.receive, async (c) => {
    const message = await queue(c.var.store, c.req.param("name")).receive();
    return message ? c.json(message) : c.body(null, 204);
  });

  api.post("/api/queues/:name/messages/:id/:verdict{ack|nack}", describe.verdict, async (c) => {
    const q = queue(c.var.store, c.req.param("name"));
    const id = c.req.param("id");
    const done =
      c.req.param("verdict") === "ack"
        ? await q.ack(id)
        : await q.nack(id, String((await body(c.req.raw)).reason ?? "nacked"));
    if (!done) throw new BuntimeError("BUNTIME_ERR_STORAGE_KEY_NOT_FOUND", { key: `leased message ${id}` });
    return c.body(null, 204);
  });

  api.get("/api/queues/:name/dead", describe.dead, async (c) =>
    c.json({ messages: await queue(c.var.store, c.req.param("name")).dead() }),
  );

  // the app's own keys, or a shared space's (the middleware checked the grant and chose the store)
  for (const path of ["/api/watch", "/api/shared/:space/watch"])
    addWatchRoute(api, path, options.watchInterval);
}

/** Adds the SSE watch of `c.var.store` at `path`. */
function addWatchRoute(api: Hono<Env>, path: string, watchInterval: number): void {
  api.get(path, describe.watch, (c) => {
    const keys = c.req.queries("key") ?? [];
    const prefix = c.req.query("prefix");
    const store = c.var.store;
    // validate before the stream starts, so a bad watch is a plain 400
    watch(store, { keys, prefix }, () => {})();
    return streamSSE(c, async (stream) => {
      await new Promise<void>((resolve) => {
        const stop = watch(
          store,
          { keys, prefix },
          (changes) => {
            const data = changes.map(({ key, entry }) => ({
              key,
              value: entry?.value ?? null,
              version: entry?.version ?? null,
            }));
            void stream.writeSSE({ event: "change", data: JSON.stringify(data) });
          },
          watchInterval,
        );
        stream.onAbort(() => {
          stop();
          resolve();
        });
      });
    });
  });
}
