import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { TestKernel } from "@buntime/kernel/testing";
import { storageConfigSchema } from "@buntime/plugin-storage";
import { startAppsKernel } from "./helpers/apps-kernel.ts";
import { readEventStream } from "./helpers/event-stream.ts";

const APPS = ["alpha", "beta", "gamma"];

describe("shared spaces over the HTTP API", () => {
  let kernel: TestKernel;
  const tokens: Record<string, string> = {};
  const api = (app: string, path: string, init: RequestInit = {}) =>
    fetch(new URL(`/storage/api${path}`, kernel.url), {
      ...init,
      headers: { authorization: `Bearer ${tokens[app]}`, ...init.headers },
    });
  const put = (app: string, path: string, value: unknown) =>
    api(app, path, { method: "PUT", body: JSON.stringify(value) });
  const root = () => kernel.service("keyval");

  beforeAll(async () => {
    let started: Record<string, string>;
    ({ kernel, tokens: started } = await startAppsKernel(
      { watchInterval: 20, sharedSpaces: { board: { read: ["beta"], write: ["alpha"] } } },
      APPS,
    ));
    Object.assign(tokens, started);
  });
  afterAll(() => kernel.stop());

  it("streams to a reader's watch a write made by another app allowed to write", async () => {
    const abort = new AbortController();
    const response = await api("beta", "/shared/board/watch?prefix=post/", { signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events = readEventStream(response);
    await events.until("event: change");
    const written = await put("alpha", "/shared/board/keys/post/1", { title: "hello" });
    expect(written.status).toBe(200);
    await events.until('"post/1"');
    abort.abort();
    expect(events.text).toContain('"key":"post/1","value":{"title":"hello"}');
    // it landed in the space, not in alpha's own namespace
    expect((await root().namespace("shared").namespace("board").get("post/1"))?.value).toEqual({
      title: "hello",
    });
    expect(await root().namespace("app").namespace("alpha").get("post/1")).toBeNull();
    const read = await api("beta", "/shared/board/keys/post/1");
    expect(read.status).toBe(200);
    expect(read.headers.get("etag")).toMatch(/^"\d+"$/);
  });

  it("keeps conditional writes: If-None-Match: * refuses a key that exists", async () => {
    await put("alpha", "/shared/board/keys/once", 1);
    const again = await api("alpha", "/shared/board/keys/once", {
      method: "PUT",
      body: "2",
      headers: { "if-none-match": "*" },
    });
    expect(again.status).toBe(412);
    expect((await (await api("alpha", "/shared/board/keys/once")).json()).value).toBe(1);
  });

  it("refuses a read-only app's write and delete with 403 naming it, changing nothing", async () => {
    await put("alpha", "/shared/board/keys/pinned", "keep");
    for (const init of [{ method: "PUT", body: '"mine"' }, { method: "DELETE" }]) {
      const refused = await api("beta", "/shared/board/keys/pinned", init);
      expect(refused.status).toBe(403);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("BUNTIME_ERR_STORAGE_SPACE_FORBIDDEN");
      expect(body.error.message).toContain("beta");
      expect(body.error.message).toContain("board");
    }
    expect((await root().namespace("shared").namespace("board").get("pinned"))?.value).toBe("keep");
    expect((await put("beta", "/shared/board/keys/new", 1)).status).toBe(403);
    expect(await root().namespace("shared").namespace("board").get("new")).toBeNull();
  });

  it("refuses an app without a grant on read and watch", async () => {
    for (const path of ["/shared/board/keys/pinned", "/shared/board/watch?prefix="]) {
      const refused = await api("gamma", path);
      expect(refused.status).toBe(403);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("BUNTIME_ERR_STORAGE_SPACE_FORBIDDEN");
      expect(body.error.message).toContain("gamma");
    }
  });

  it("answers 404 for a space that is not configured, and needs an app token", async () => {
    const unknown = await api("alpha", "/shared/elsewhere/keys/x");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe(
      "BUNTIME_ERR_STORAGE_SPACE_NOT_FOUND",
    );
    const anonymous = await fetch(new URL("/storage/api/shared/board/keys/pinned", kernel.url));
    expect(anonymous.status).toBe(401);
  });

  it("reaches no app's own keys through a hostile space name", async () => {
    await root().namespace("app").namespace("gamma").set("secret", "gamma's own");
    const hostile = ["..", "%2e%2e", "%2F", "..%2Fapp%2Fgamma", "app%2Fgamma", "x".repeat(5000), "board%00"];
    for (const name of hostile) {
      for (const path of [`/shared/${name}/keys/secret`, `/shared/${name}/../../app/gamma/keys/secret`]) {
        const read = await api("alpha", path);
        expect(await read.text()).not.toContain("gamma's own");
        const write = await put("alpha", `/shared/${name}/keys/secret`, "overwritten");
        // refused (400/404), or normalised by the URL parser into alpha's own keys: never elsewhere
        expect([200, 400, 404]).toContain(write.status);
      }
    }
    expect((await root().namespace("app").namespace("gamma").get("secret"))?.value).toBe("gamma's own");
    const spaces = await root().namespace("shared").list({ prefix: "" });
    expect(spaces.entries.map((entry) => entry.key)).not.toContain("secret");
  });

  it("refuses a config with a bad space name", () => {
    for (const name of ["..", ".hidden", "a/b", "", "x".repeat(101)]) {
      const parsed = storageConfigSchema.safeParse({ sharedSpaces: { [name]: { read: ["a"] } } });
      expect(parsed.success).toBe(false);
    }
    expect(
      storageConfigSchema.safeParse({ sharedSpaces: { "team.board-1": { write: ["a"] } } }).success,
    ).toBe(true);
  });
});
