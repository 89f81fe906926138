import { afterAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isBuntimeError, loadAppConfig, resolveApp } from "@buntime/sdk";
import { call, testPool } from "./helpers.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function appDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "buntime-app-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
  }
  return dir;
}

const HELLO = 'export default { fetch: () => new Response("from " + (process.env.WHO ?? "nobody")) };';

describe("app folders", () => {
  it("reads package.json#buntime, converts units and finds index.ts", async () => {
    const dir = appDir({
      "package.json": {
        name: "todo",
        version: "1.2.3",
        buntime: {
          ttl: "5m",
          timeout: "1.5s",
          maxBodySize: "1mb",
          env: { WHO: "todo" },
          visibility: "protected",
        },
      },
      "index.ts": HELLO,
    });
    const app = await resolveApp(dir);
    expect(app).toMatchObject({
      name: "todo",
      version: "1.2.3",
      entry: join(dir, "index.ts"),
      ttl: 300_000,
      timeout: 1500,
      maxBodySize: 1024 * 1024,
      env: { WHO: "todo" },
      visibility: "protected",
      publicRoutes: [],
    });
  });

  it("prefers buntime.json and package.json main, and the result runs in the pool", async () => {
    const dir = appDir({
      "package.json": { name: "ignored-config", main: "server.js", buntime: { ttl: 5 } },
      "buntime.json": { ttl: 0, env: { WHO: "server" } },
      "server.js": HELLO,
    });
    const app = await resolveApp(dir, { name: "svc", version: "2.0.0" });
    expect(app).toMatchObject({ name: "svc", version: "2.0.0", ttl: 0, entry: join(dir, "server.js") });
    const pool = testPool();
    try {
      expect((await call(pool, app)).text).toBe("from server");
      expect(pool.stats().apps["svc@2.0.0"]?.mode).toBe("ephemeral");
    } finally {
      await pool.shutdown();
    }
  });

  it("applies defaults for a folder with only an entry", async () => {
    const dir = appDir({ "index.js": HELLO });
    expect(await loadAppConfig(dir)).toEqual({
      env: {},
      permissions: { network: [] },
      clientAddress: false,
      visibility: "public",
      publicRoutes: [],
    });
  });

  it.each([
    [
      { ttl: "soon" },
      'buntime.ttl: expected milliseconds (a whole number, 0 or more) or a string such as "30s"',
    ],
    [
      { maxBodySize: -1 },
      'buntime.maxBodySize: expected bytes (a whole number, 0 or more) or a string such as "10mb"',
    ],
    [{ visibility: "secret" }, 'buntime.visibility: expected "public", "protected" or "internal"'],
    [
      { env: { "not-a-name": "x" } },
      "buntime.env.not-a-name: expected an environment variable name such as API_URL",
    ],
    [{ env: { OK: 1 } }, "buntime.env.OK: expected a string value"],
    [{ publicRoutes: ["health"] }, 'buntime.publicRoutes[0]: expected a path starting with "/"'],
    [{ clientAddress: "yes" }, "buntime.clientAddress: expected true or false"],
    [{ tll: 0 }, 'unknown field "tll"'],
  ])("refuses %j naming the app, the field and the expectation", async (config, message) => {
    const dir = appDir({
      "package.json": { name: "bad", version: "1.0.0", buntime: config },
      "index.ts": HELLO,
    });
    const error = await resolveApp(dir).catch((caught: unknown) => caught);
    expect(isBuntimeError(error, "BUNTIME_ERR_POOL_APP_CONFIG_INVALID")).toBe(true);
    expect((error as Error).message).toContain("app bad@1.0.0: invalid config: package.json#");
    expect((error as Error).message).toContain(message);
  });

  it("refuses a folder without an entry module", async () => {
    const dir = appDir({ "package.json": { name: "empty" } });
    const error = await resolveApp(dir).catch((caught: unknown) => caught);
    expect(isBuntimeError(error, "BUNTIME_ERR_POOL_APP_ENTRY_MISSING")).toBe(true);
    expect((error as Error).message).toContain("index.ts, index.js");
  });

  it("refuses a buntime.json that is not JSON", async () => {
    const dir = appDir({ "buntime.json": "{ ttl: 0", "index.ts": HELLO });
    const error = await resolveApp(dir).catch((caught: unknown) => caught);
    expect(isBuntimeError(error, "BUNTIME_ERR_POOL_APP_CONFIG_INVALID")).toBe(true);
  });
});
