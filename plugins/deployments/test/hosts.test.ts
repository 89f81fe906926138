/** Virtual hosts through the deployments API: set live, persisted, validated, admin only. */
import { describe, expect, it } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { appFolder, start, tarballOf, until } from "./support.ts";

const put = (hosts: unknown) => ({
  method: "PUT",
  body: JSON.stringify(hosts),
  headers: { "content-type": "application/json" },
});

describe("virtual hosts through the API", () => {
  it("routes a host to an app at once and keeps it in .hosts.json", async () => {
    const { admin, get, apps } = await start();
    const body = tarballOf(appFolder("shop", "1.0.0", "shop"));
    await admin("/deployments/api/apps", {
      method: "POST",
      body,
      headers: { "content-type": "application/gzip" },
    });
    const set = await admin(
      "/deployments/api/hosts",
      put({ "shop.example.com": "shop", "*.shops.test": "shop@^1" }),
    );
    expect(set.status).toBe(200);
    expect(JSON.parse(readFileSync(join(apps, ".hosts.json"), "utf8"))).toEqual({
      "shop.example.com": "shop",
      "*.shops.test": "shop@^1",
    });
    const viaHost = (host: string) => async () =>
      (await (await get("/anything", { headers: { host } })).text()) === "shop";
    expect(await until(viaHost("shop.example.com"))).toBe(true);
    expect(await until(viaHost("a.shops.test"))).toBe(true);
    expect(await (await admin("/deployments/api/hosts")).json()).toMatchObject({
      "shop.example.com": "shop",
    });
  });

  it("refuses a bad host or target by name, and anyone but an admin, changing nothing", async () => {
    const { admin, get, apps } = await start();
    const bad = await admin("/deployments/api/hosts", put({ "https://x.test/": "shop" }));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("https://x.test/");
    expect((await admin("/deployments/api/hosts", put({ "x.test": "../etc" }))).status).toBe(400);
    expect((await get("/deployments/api/hosts", put({ "x.test": "shop" }))).status).toBe(403);
    expect(existsSync(join(apps, ".hosts.json"))).toBe(false);
  });
});
