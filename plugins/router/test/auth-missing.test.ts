/**
 * Without the auth plugin nothing guards non-public apps: the router refuses them with 503
 * naming the missing plugin rather than opening them to everyone; public apps keep working.
 */
import { describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { start, writeApp } from "./support.ts";

const AUTH_FOLDER = join(import.meta.dir, "..", "..", "auth");

/** Writes app `name` with `visibility` in its buntime.json. */
function writeVisibleApp(apps: string, name: string, visibility: string) {
  writeApp(join(apps, name), name, { "buntime.json": JSON.stringify({ visibility }) });
}

describe("apps that need the auth plugin", () => {
  it("refuse protected and internal apps with 503 once auth is unloaded, and keep public ones open", async () => {
    process.env.BUNTIME_ADMIN_PASSWORD = "correct horse battery staple";
    const { apps, get, kernel } = await start({ plugins: [AUTH_FOLDER] });
    writeVisibleApp(apps, "vault", "protected");
    writeVisibleApp(apps, "inner", "internal");
    writeVisibleApp(apps, "open", "public");
    // with auth loaded, its guard answers: a sign-in is needed
    expect((await get("/vault/", { headers: { accept: "application/json" } })).status).toBe(401);
    expect((await get("/open/")).status).toBe(200);

    await kernel.unload("@buntime/plugin-auth");
    const vault = await get("/vault/", { headers: { "x-buntime-user": "mallory" } });
    expect(vault.status).toBe(503);
    expect(await vault.json()).toEqual({
      error: {
        code: "BUNTIME_ERR_APP_AUTH_MISSING",
        message:
          "app vault is protected, but @buntime/plugin-auth is not loaded: it refuses requests until it is",
      },
    });
    expect((await get("/inner/")).status).toBe(503);
    const open = await get("/open/");
    expect(open.status).toBe(200);
    expect((await open.json()).tag).toBe("open");
  });

  it("refuse a protected app's static files too when auth never loaded", async () => {
    const { apps, get } = await start();
    mkdirSync(join(apps, "docs", "public"), { recursive: true });
    writeFileSync(join(apps, "docs", "public", "index.html"), "<h1>secret</h1>");
    writeFileSync(join(apps, "docs", "buntime.json"), JSON.stringify({ visibility: "protected" }));
    const page = await get("/docs/");
    expect(page.status).toBe(503);
    expect(await page.text()).not.toContain("secret");
  });
});
