import { describe, expect, it } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { start, tempDir, writeApp } from "./support.ts";

describe("static files", () => {
  it("serves a static app's public/ files only, with index.html for client routes", async () => {
    const { apps, get } = await start();
    const site = join(apps, "site");
    mkdirSync(join(site, "public"), { recursive: true });
    mkdirSync(join(site, "src"));
    writeFileSync(join(site, "public", "index.html"), "<h1>site</h1>");
    writeFileSync(join(site, "public", "style.css"), "h1{}");
    writeFileSync(join(site, "index.html"), "<h1>outside public</h1>");
    writeFileSync(join(site, "package.json"), JSON.stringify({ name: "site", private: true }));
    writeFileSync(join(site, "buntime.json"), "{}");
    writeFileSync(join(site, ".env"), "SECRET=1");
    writeFileSync(join(site, "src", "secret.ts"), "export const key = 1;");
    const outside = tempDir("buntime-outside-");
    writeFileSync(join(outside, "passwd"), "root:x:0:0");
    symlinkSync(join(outside, "passwd"), join(site, "public", "leak.txt"));
    symlinkSync(join(site, "src"), join(site, "public", "src"));

    const table: [path: string, status: number, body?: string][] = [
      ["/site/", 200, "<h1>site</h1>"],
      ["/site/index.html", 200, "<h1>site</h1>"],
      ["/site/style.css", 200, "h1{}"],
      ["/site/buntime.json", 404],
      ["/site/package.json", 404],
      ["/site/.env", 404],
      ["/site/src/secret.ts", 404],
      ["/site/public/index.html", 404],
      ["/site/leak.txt", 404],
      ["/site/%2e%2e/%2e%2e/etc/passwd", 404],
      ["/site/..%2findex.html", 404],
    ];
    for (const [path, status, body] of table) {
      const res = await get(path);
      expect({ path, status: res.status }).toEqual({ path, status });
      if (body !== undefined) expect(await res.text()).toBe(body);
    }
    const bare = await get("/site");
    expect(bare.status).toBe(308);
    expect(bare.headers.get("location")).toBe("http://127.0.0.1:8000/site/");
    expect((await get("/site/")).headers.get("content-type")).toContain("text/html");
    const route = await get("/site/settings/profile", { headers: { accept: "text/html" } });
    expect(await route.text()).toBe("<h1>site</h1>");
  });

  it("serves the folder buntime.json names in publicDir, and refuses one leading outside the app", async () => {
    const { apps, get } = await start();
    const built = join(apps, "built");
    mkdirSync(join(built, "dist", "client"), { recursive: true });
    writeFileSync(join(built, "dist", "client", "index.html"), "<h1>built</h1>");
    writeFileSync(join(built, "dist", "server.js"), "secret");
    writeFileSync(join(built, "buntime.json"), JSON.stringify({ publicDir: "dist/client" }));
    expect(await (await get("/built/")).text()).toBe("<h1>built</h1>");
    expect((await get("/built/server.js")).status).toBe(404);
    expect((await get("/built/buntime.json")).status).toBe(404);

    const outside = tempDir("buntime-outside-");
    writeFileSync(join(outside, "index.html"), "<h1>not the app's</h1>");
    const escaping = join(apps, "escaping");
    mkdirSync(escaping);
    symlinkSync(outside, join(escaping, "public"));
    expect((await get("/escaping/")).status).toBe(404);

    const dotted = join(apps, "dotted");
    mkdirSync(dotted);
    writeFileSync(join(dotted, "buntime.json"), JSON.stringify({ publicDir: ".." }));
    const refused = await get("/dotted/");
    expect(refused.status).toBe(500);
    expect(await refused.text()).toContain("publicDir");
  });

  it("answers 404 for a static app with no public/ folder and logs where its files belong", async () => {
    const logs: string[] = [];
    const { apps, get } = await start({ logSink: (entry) => logs.push(entry.message) });
    const old = join(apps, "old");
    mkdirSync(old);
    writeFileSync(join(old, "index.html"), "<h1>old</h1>");
    writeFileSync(join(old, ".env"), "SECRET=1");
    expect((await get("/old/")).status).toBe(404);
    expect((await get("/old/index.html")).status).toBe(404);
    expect((await get("/old/.env")).status).toBe(404);
    expect(logs.some((line) => line.includes("static app old ") && line.includes('"publicDir"'))).toBe(true);
  });

  it("serves public/ files beside a worker app", async () => {
    const { apps, get } = await start();
    writeApp(join(apps, "mixed"), "mixed");
    mkdirSync(join(apps, "mixed", "public"));
    writeFileSync(join(apps, "mixed", "public", "logo.svg"), "<svg/>");
    expect(await (await get("/mixed/logo.svg")).text()).toBe("<svg/>");
    expect((await (await get("/mixed/api")).json()).tag).toBe("mixed");
    expect((await get("/mixed/index.ts")).status).toBe(200); // reaches the worker, not the source file
    expect((await (await get("/mixed/index.ts")).json()).tag).toBe("mixed");
  });
});
