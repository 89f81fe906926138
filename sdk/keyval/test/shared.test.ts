import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import { type Kv, KvError, openKv } from "@buntime/keyval";
import router from "@buntime/plugin-router";
import routerPackage from "@buntime/plugin-router/package.json" with { type: "json" };
import storage from "@buntime/plugin-storage";
import storagePackage from "@buntime/plugin-storage/package.json" with { type: "json" };

/** An app that hands out its token, so the test can use the client outside with it. */
const TOKEN_APP = "export default { fetch: () => new Response(process.env.BUNTIME_APP_TOKEN) };";

describe("kv.shared(space): the client on a shared space", () => {
  let kernel: TestKernel;
  const kv: Record<string, Kv> = {};

  beforeAll(async () => {
    kernel = await createTestKernel({
      config: {
        plugins: {
          "@buntime/plugin-storage": {
            watchInterval: 20,
            sharedSpaces: { board: { read: ["reader"], write: ["writer"] } },
          },
        },
      },
      plugins: [
        { packageJson: routerPackage, plugin: router },
        { packageJson: storagePackage, plugin: storage },
      ],
      listen: true,
    });
    for (const app of ["writer", "reader"]) {
      mkdirSync(join(kernel.home, "apps", app), { recursive: true });
      writeFileSync(join(kernel.home, "apps", app, "index.ts"), TOKEN_APP);
    }
    await Bun.sleep(300); // the router's watcher notices the new apps
    for (const app of ["writer", "reader"]) {
      let token = "";
      for (let i = 0; i < 50 && !token.startsWith(`${app}.`); i++) {
        token = await (await fetch(new URL(`/${app}/`, kernel.url))).text();
        if (!token.startsWith(`${app}.`)) await Bun.sleep(100);
      }
      kv[app] = openKv({ url: String(kernel.url), token });
    }
  });
  afterAll(() => kernel.stop());

  it("gets, sets, lists, commits atomically and watches in the space, apart from own keys", async () => {
    const writer = kv.writer?.shared("board");
    const reader = kv.reader?.shared("board");
    if (!writer || !reader) throw new Error("no clients");
    const changes = reader.watch([], { prefix: "job/" });
    expect((await changes.next()).value).toEqual([]);
    await writer.set("job/1", { state: "queued" });
    const first = await writer.get("job/1");
    expect(first?.value).toEqual({ state: "queued" });
    expect(await kv.writer?.get("job/1")).toBeNull();
    const seen = (await changes.next()).value;
    await changes.return(undefined);
    expect(seen).toEqual([{ key: "job/1", value: { state: "queued" }, version: first?.version }]);
    const committed = await writer
      .atomic()
      .check({ key: "job/1", version: first?.version ?? null })
      .set("job/2", { state: "queued" })
      .commit();
    expect(committed.ok).toBe(true);
    const keys: string[] = [];
    for await (const entry of reader.list({ prefix: "job/" })) keys.push(entry.key);
    expect(keys).toEqual(["job/1", "job/2"]);
  });

  it("refuses a read-only app's writes with the code, and a bad space name before any request", async () => {
    const reader = kv.reader?.shared("board");
    const refused = await reader?.set("job/3", 1).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KvError);
    expect((refused as KvError).code).toBe("BUNTIME_ERR_STORAGE_SPACE_FORBIDDEN");
    expect(await reader?.get("job/3")).toBeNull();
    const atomic = await reader
      ?.atomic()
      .set("job/3", 1)
      .commit()
      .catch((error: unknown) => error);
    expect((atomic as KvError).status).toBe(403);
    for (const name of ["..", "a/b", "", "x".repeat(101)])
      expect(() => kv.reader?.shared(name)).toThrow(KvError);
  });
});
