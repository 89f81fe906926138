import { Database } from "bun:sqlite";
import { afterEach, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestKernel, type TestKernel, type TestPlugin } from "@buntime/kernel/testing";
import storage from "@buntime/plugin-storage";
import { type AppsService, definePlugin } from "@buntime/sdk";
import storagePackage from "../package.json" with { type: "json" };

const TOKENS: Record<string, string> = { "token-notes": "notes", "token-todo": "todo" };

/** Stands in for the router's `apps` service: knows two apps by their tokens. */
const fakeApps: TestPlugin = {
  packageJson: { name: "fake-apps", version: "1.0.0", buntime: { kernel: "*", provides: ["apps"] } },
  plugin: definePlugin({
    setup(ctx) {
      ctx.services.provide("apps", {
        identify(request) {
          const bearer = request.headers.get("authorization")?.replace(/^Bearer /, "");
          return TOKENS[request.headers.get("x-buntime-app-token") ?? bearer ?? ""];
        },
        locate: () => undefined,
        folders: async () => [],
      } satisfies AppsService);
    },
  }),
};

/** A body sent as is rather than as JSON. */
class RawBody {
  constructor(readonly text: string) {}
}

const storagePlugin: TestPlugin = { packageJson: storagePackage, plugin: storage };

const kernels: TestKernel[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
});

async function start(options: { apps?: boolean; settings?: Record<string, unknown> } = {}) {
  const kernel = await createTestKernel({
    plugins: options.apps === false ? [storagePlugin] : [fakeApps, storagePlugin],
    config: { plugins: { "@buntime/plugin-storage": options.settings ?? {} } },
  });
  kernels.push(kernel);
  /** A request as app `token` would send it. */
  const call = (token: string | undefined, method: string, path: string, body?: unknown, headers = {}) =>
    kernel.fetch(`/storage/api${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body instanceof RawBody ? body.text : body === undefined ? undefined : JSON.stringify(body),
    });
  return { kernel, call };
}

const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string } }).error;

describe("storage HTTP API", () => {
  it("stores and reads an app's value, with its version as ETag", async () => {
    const { call } = await start();
    const put = await call("token-notes", "PUT", "/keys/notes/1", { title: "hi" });
    expect(put.status).toBe(200);
    const { version } = (await put.json()) as { version: string };
    expect(put.headers.get("etag")).toBe(`"${version}"`);
    const get = await call("token-notes", "GET", "/keys/notes/1");
    expect(get.status).toBe(200);
    expect(get.headers.get("etag")).toBe(`"${version}"`);
    expect(await get.json()).toEqual({ key: "notes/1", value: { title: "hi" }, version, expiresAt: null });
  });

  it.each([
    ["unicode and spaces", "日本/ä b"],
    ["an encoded slash", "a/b%c"],
    ["a question mark", "what?"],
  ])("round-trips a key with %s when it is percent-encoded in the path", async (_, key) => {
    const { call } = await start();
    const path = `/keys/${encodeURIComponent(key)}`;
    expect((await call("token-notes", "PUT", path, { key })).status).toBe(200);
    expect(((await (await call("token-notes", "GET", path)).json()) as { key: string }).key).toBe(key);
    const listed = (await (await call("token-notes", "GET", "/keys")).json()) as {
      entries: { key: string }[];
    };
    expect(listed.entries.map((e) => e.key)).toEqual([key]);
  });

  it("answers 401 without a valid app token, in either header", async () => {
    const { call } = await start();
    for (const token of [undefined, "wrong"]) {
      const response = await call(token, "GET", "/keys/x");
      expect(response.status).toBe(401);
      expect((await errorOf(response)).code).toBe("BUNTIME_ERR_STORAGE_APP_UNAUTHORIZED");
    }
    const viaHeader = await call(undefined, "PUT", "/keys/x", 1, { "x-buntime-app-token": "token-todo" });
    expect(viaHeader.status).toBe(200);
  });

  it("answers 503 naming the missing apps service when no plugin provides it", async () => {
    const { kernel, call } = await start({ apps: false });
    const response = await call("token-notes", "GET", "/keys/x");
    expect(response.status).toBe(503);
    expect((await errorOf(response)).message).toContain("apps service");
    // A setup problem, said by the answer, not an error line per request.
    expect(kernel.logs.filter((line) => line.level === "error")).toEqual([]);
  });

  it("keeps each app to its own keys and away from plugins' keys", async () => {
    const { kernel, call } = await start();
    await call("token-notes", "PUT", "/keys/shared-name", "notes");
    await call("token-todo", "PUT", "/keys/shared-name", "todo");
    await kernel.service("keyval").set("shared-name", "plugin");
    expect(
      ((await (await call("token-notes", "GET", "/keys/shared-name")).json()) as { value: string }).value,
    ).toBe("notes");
    expect(
      ((await (await call("token-todo", "GET", "/keys/shared-name")).json()) as { value: string }).value,
    ).toBe("todo");
    const listed = (await (await call("token-todo", "GET", "/keys")).json()) as {
      entries: { key: string }[];
    };
    expect(listed.entries.map((e) => e.key)).toEqual(["shared-name"]);
    expect((await kernel.service("keyval").get("shared-name"))?.value).toBe("plugin");
  });

  it("answers 404 with a coded error for a missing key", async () => {
    const { call } = await start();
    const response = await call("token-notes", "GET", "/keys/nothing/here");
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toEqual({
      code: "BUNTIME_ERR_STORAGE_KEY_NOT_FOUND",
      message: "no key nothing/here",
    });
  });

  it("makes writes conditional with If-Match and If-None-Match, answering 412 on a stale version", async () => {
    const { call } = await start();
    expect((await call("token-notes", "PUT", "/keys/doc", 1, { "if-none-match": "*" })).status).toBe(200);
    const again = await call("token-notes", "PUT", "/keys/doc", 2, { "if-none-match": "*" });
    expect(again.status).toBe(412);
    expect(await errorOf(again)).toEqual({
      code: "BUNTIME_ERR_STORAGE_VERSION_MISMATCH",
      message: "version check failed on doc: it changed since you read it",
    });
    const etag = (await call("token-notes", "GET", "/keys/doc")).headers.get("etag") as string;
    expect((await call("token-notes", "PUT", "/keys/doc", 3, { "if-match": etag })).status).toBe(200);
    expect((await call("token-notes", "PUT", "/keys/doc", 4, { "if-match": etag })).status).toBe(412);
    expect((await call("token-notes", "DELETE", "/keys/doc", undefined, { "if-match": etag })).status).toBe(
      412,
    );
    const bad = await call("token-notes", "PUT", "/keys/doc", 5, { "if-match": "banana" });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toContain("If-Match");
    expect((await call("token-notes", "DELETE", "/keys/doc")).status).toBe(204);
    expect((await call("token-notes", "GET", "/keys/doc")).status).toBe(404);
  });

  it("sets a TTL from the query string", async () => {
    const { call } = await start();
    const before = Date.now();
    await call("token-notes", "PUT", "/keys/session?ttl=60000", "s");
    const entry = (await (await call("token-notes", "GET", "/keys/session")).json()) as { expiresAt: number };
    expect(entry.expiresAt).toBeGreaterThanOrEqual(before + 60000);
    expect(entry.expiresAt).toBeLessThanOrEqual(Date.now() + 60000);
    expect((await call("token-notes", "PUT", "/keys/session?ttl=soon", "s")).status).toBe(400);
  });

  it("lists by prefix a page at a time", async () => {
    const { call } = await start();
    for (const key of ["a/1", "a/2", "a/3", "b/1"]) await call("token-notes", "PUT", `/keys/${key}`, key);
    const first = (await (await call("token-notes", "GET", "/keys?prefix=a/&limit=2")).json()) as {
      entries: { key: string }[];
      cursor: string;
    };
    expect(first.entries.map((e) => e.key)).toEqual(["a/1", "a/2"]);
    const second = (await (
      await call("token-notes", "GET", `/keys?prefix=a/&limit=2&cursor=${first.cursor}`)
    ).json()) as {
      entries: { key: string }[];
      cursor: string | null;
    };
    expect(second).toMatchObject({ entries: [{ key: "a/3" }], cursor: null });
  });

  it("applies a batch atomically and answers 412 naming the failed check", async () => {
    const { call } = await start();
    const ok = await call("token-notes", "POST", "/batch", {
      operations: [
        { type: "set", key: "x", value: 1, version: null },
        { type: "set", key: "y", value: 2 },
      ],
    });
    expect(ok.status).toBe(200);
    const failed = await call("token-notes", "POST", "/batch", {
      operations: [
        { type: "set", key: "y", value: 3 },
        { type: "check", key: "x", version: null },
      ],
    });
    expect(failed.status).toBe(412);
    expect((await errorOf(failed)).message).toContain("on x");
    expect(((await (await call("token-notes", "GET", "/keys/y")).json()) as { value: number }).value).toBe(2);
    const malformed = await call("token-notes", "POST", "/batch", { ops: [] });
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).code).toBe("BUNTIME_ERR_STORAGE_REQUEST_INVALID");
  });

  it("refuses a body that is not JSON or is over the size limit", async () => {
    const { call } = await start({ settings: { maxValueBytes: 100 } });
    const notJson = await call("token-notes", "PUT", "/keys/k", new RawBody("{oops"));
    expect(notJson.status).toBe(400);
    expect((await errorOf(notJson)).message).toBe("invalid storage request: the body is not JSON");
    const big = await call("token-notes", "PUT", "/keys/k", "x".repeat(200));
    expect(big.status).toBe(413);
    expect((await errorOf(big)).code).toBe("BUNTIME_ERR_STORAGE_VALUE_TOO_LARGE");
  });

  it("answers a coded 404 for other paths under its base", async () => {
    const { kernel } = await start();
    const response = await kernel.fetch("/storage/nope");
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe("BUNTIME_ERR_NOT_FOUND");
  });
});

describe("storage plugin", () => {
  it("starts with no settings on SQLite in its data folder and provides keyval", async () => {
    const { kernel } = await start();
    const keyval = kernel.service("keyval");
    await keyval.namespace("auth").set("user/ada", { role: "admin" });
    expect((await keyval.namespace("auth").get("user/ada"))?.value).toEqual({ role: "admin" });
    expect(kernel.logs.some((line) => line.message === "keyval on sqlite")).toBe(true);
    const plain = await kernel.fetch("/somewhere-else");
    expect(plain.headers.get("etag")).toBeNull();
  });

  it("removes expired entries from the database on its sweep timer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "buntime-storage-sweep-"));
    const path = join(dir, "keyval.sqlite");
    try {
      const { kernel } = await start({ settings: { path, sweepInterval: 100 } });
      const notes = kernel.service("keyval").namespace("notes");
      await notes.set("short", 1, { ttl: 10 });
      await notes.set("kept", 2);
      const rows = () => {
        const db = new Database(path, { readonly: true });
        try {
          return db.query("SELECT key FROM kv ORDER BY key").all();
        } finally {
          db.close();
        }
      };
      expect(rows()).toEqual([{ key: "kept" }, { key: "short" }]);
      // expired entries read as absent at once; the timer is what deletes their rows
      const deadline = performance.now() + 2000;
      while (rows().length > 1 && performance.now() < deadline) await Bun.sleep(25);
      expect(rows()).toEqual([{ key: "kept" }]);
    } finally {
      for (const kernel of kernels.splice(0)) await kernel.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses to start on PostgreSQL without a URL", async () => {
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      const { kernel } = await start({ settings: { backend: "postgres" } });
      const plugins = (await (await kernel.fetch("/_/api/plugins")).json()) as unknown;
      expect(JSON.stringify(plugins)).toContain('backend \\"postgres\\" needs url');
    } finally {
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    }
  });

  it("refuses a write past the app's quota with 507, and lets it delete to make room", async () => {
    const { call } = await start({ settings: { appMaxKeys: 2 } });
    expect((await call("token-notes", "PUT", "/keys/a", 1)).status).toBe(200);
    expect((await call("token-notes", "PUT", "/keys/b", 2)).status).toBe(200);
    const refused = await call("token-notes", "PUT", "/keys/c", 3);
    expect(refused.status).toBe(507);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("BUNTIME_ERR_STORAGE_QUOTA_EXCEEDED");
    expect(body.error.message).toBe(
      "app notes holds 2 keys, at its quota of 2; delete some before writing more",
    );
    expect((await call("token-notes", "GET", "/keys/c")).status).toBe(404);
    expect((await call("token-notes", "POST", "/queues/jobs", { value: 1 })).status).toBe(507);
    expect((await call("token-todo", "PUT", "/keys/c", 3)).status).toBe(200); // another app's quota is its own
    expect((await call("token-notes", "DELETE", "/keys/a")).status).toBe(204);
    expect((await call("token-notes", "PUT", "/keys/c", 3)).status).toBe(200);
  });
});
