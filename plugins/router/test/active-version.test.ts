/** The active version of an app (`<name>/.active`): what `/name/` reaches, switched atomically. */
import { describe, expect, it } from "bun:test";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { silentLogger } from "@buntime/test-kit/logger";
import { AppCatalog } from "../src/app-catalog.ts";
import { start, tempDir, writeApp } from "./support.ts";

async function tagOf(response: Response): Promise<string> {
  return ((await response.json()) as { tag: string }).tag;
}

/** Writes `.active` the way deployments does: a temporary file renamed over the old one. */
function activate(appDir: string, version: string): void {
  writeFileSync(join(appDir, ".active.tmp"), version);
  renameSync(join(appDir, ".active.tmp"), join(appDir, ".active"));
}

async function until(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return true;
    await Bun.sleep(20);
  }
  return false;
}

describe("the active version", () => {
  it("is what /name/ reaches; /name@version/ still reaches any installed version", async () => {
    const { apps, get } = await start();
    writeApp(join(apps, "api", "1.0.0"), "one");
    writeApp(join(apps, "api", "2.0.0"), "two");
    activate(join(apps, "api"), "1.0.0");
    expect(await tagOf(await get("/api/"))).toBe("one");
    expect(await tagOf(await get("/api@2.0.0/"))).toBe("two");
    expect(await tagOf(await get("/api@^2/"))).toBe("two");
  });

  it("falls back to the highest when .active names no installed version", async () => {
    const { apps, get } = await start();
    writeApp(join(apps, "api", "1.0.0"), "one");
    writeApp(join(apps, "api", "2.0.0"), "two");
    activate(join(apps, "api"), "9.9.9");
    expect(await tagOf(await get("/api/"))).toBe("two");
  });

  it("switches new requests at once while a request in flight finishes on the old version", async () => {
    const { apps, get } = await start();
    const dir = join(apps, "slow");
    mkdirSync(join(dir, "1.0.0"), { recursive: true });
    writeFileSync(
      join(dir, "1.0.0", "index.ts"),
      `export default { fetch: async (req) => { if (new URL(req.url).pathname === "/wait") await Bun.sleep(400); return new Response("old"); } };`,
    );
    mkdirSync(join(dir, "2.0.0"));
    writeFileSync(join(dir, "2.0.0", "index.ts"), `export default { fetch: () => new Response("new") };`);
    activate(dir, "1.0.0");
    expect(await (await get("/slow/")).text()).toBe("old");
    const inFlight = get("/slow/wait");
    await Bun.sleep(50);
    activate(dir, "2.0.0");
    expect(await until(async () => (await (await get("/slow/")).text()) === "new")).toBe(true);
    const finished = await inFlight;
    expect(finished.status).toBe(200);
    expect(await finished.text()).toBe("old");
  });
});

describe("an apps folder that cannot be watched", () => {
  it("is read again every second, so a new active version is still seen", async () => {
    const root = tempDir();
    const appsDir = join(root, "apps"); // missing when watched: the watch fails
    const warnings: string[] = [];
    const logger = { ...silentLogger(), warn: (message: string) => warnings.push(message) };
    const catalog = new AppCatalog(appsDir, logger, () => {});
    catalog.watch();
    try {
      expect(warnings[0]).toContain("rescanned every 1000 ms");
      writeApp(join(appsDir, "api", "1.0.0"), "one");
      writeApp(join(appsDir, "api", "2.0.0"), "two");
      expect((await catalog.find("api", undefined))?.version).toBe("2.0.0");
      activate(join(appsDir, "api"), "1.0.0");
      await Bun.sleep(1100);
      expect((await catalog.find("api", undefined))?.version).toBe("1.0.0");
    } finally {
      catalog.close();
    }
  });
});
