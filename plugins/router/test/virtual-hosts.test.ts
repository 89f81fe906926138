/** Virtual hosts: `Host` (exact or `*.example.com`) → app at `/`, from settings and live from `.hosts.json`. */
import { describe, expect, it } from "bun:test";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { start, writeApp } from "./support.ts";

async function seen(response: Response): Promise<{ tag: string; url: string; base: string | null }> {
  return (await response.json()) as { tag: string; url: string; base: string | null };
}

describe("virtual hosts", () => {
  it("serve the configured app at / for an exact host, a wildcard, and keep paths for other hosts", async () => {
    const { apps, get } = await start({
      hosts: { "shop.example.com": "api@1.0.0", "*.example.com": "api", "*.deep.example.com": "docs" },
    });
    writeApp(join(apps, "api", "1.0.0"), "api-one");
    writeApp(join(apps, "api", "2.0.0"), "api-two");
    writeApp(join(apps, "docs"), "docs");

    const exact = await seen(await get("/users?x=1", { headers: { host: "Shop.Example.com:8443" } }));
    expect(exact).toMatchObject({ tag: "api-one", base: "" });
    expect(new URL(exact.url).pathname + new URL(exact.url).search).toBe("/users?x=1");
    expect((await seen(await get("/", { headers: { host: "tenant-a.example.com" } }))).tag).toBe("api-two");
    expect((await seen(await get("/", { headers: { host: "x.deep.example.com" } }))).tag).toBe("docs");
    // the bare domain is no subdomain of itself; other hosts route by path as before
    expect((await get("/", { headers: { host: "example.com" } })).status).toBe(404);
    expect((await seen(await get("/docs/", { headers: { host: "localhost" } }))).tag).toBe("docs");
  });

  it("change live when .hosts.json is replaced, which wins over the settings", async () => {
    const { apps, get } = await start({ hosts: { "a.test": "api" } });
    writeApp(join(apps, "api"), "api");
    writeApp(join(apps, "docs"), "docs");
    expect((await seen(await get("/", { headers: { host: "a.test" } }))).tag).toBe("api");
    writeFileSync(join(apps, ".hosts.tmp"), JSON.stringify({ "a.test": "docs", "b.test": "api" }));
    renameSync(join(apps, ".hosts.tmp"), join(apps, ".hosts.json"));
    let tag = "";
    for (let i = 0; i < 100 && tag !== "docs"; i++) {
      tag = (await seen(await get("/", { headers: { host: "a.test" } }))).tag;
      if (tag !== "docs") await Bun.sleep(20);
    }
    expect(tag).toBe("docs");
    expect((await seen(await get("/", { headers: { host: "b.test" } }))).tag).toBe("api");
  });

  it("refuses a bad host setting at load, naming it", async () => {
    expect(start({ hosts: { "http://bad.example.com": "api" } })).rejects.toThrow(/hosts/);
  });
});
