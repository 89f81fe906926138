/**
 * Cross-site writes to an app's API: the kernel refuses them (CSRF) unless the app's `cors`
 * rules name the origin, which the router vouches for through `kernel:origins`. A rule of `*`
 * vouches for no one.
 */
import { expect, it } from "bun:test";
import { join } from "node:path";
import { start, writeApp } from "./support.ts";

const SHOP = "https://shop.example.com";

function post(origin: string) {
  return { method: "POST", headers: { origin, "content-type": "application/json" }, body: "{}" };
}

it("lets an origin the app's cors rules name write to its API, and refuses any other", async () => {
  const { apps, get } = await start();
  const cors = { origins: [SHOP], credentials: true };
  writeApp(join(apps, "shop"), "shop", { "buntime.json": JSON.stringify({ cors }) });
  const allowed = await get("/shop/api/cart", post(SHOP));
  expect(allowed.status).toBe(200);
  expect(((await allowed.json()) as { tag: string }).tag).toBe("shop");
  expect(allowed.headers.get("access-control-allow-origin")).toBe(SHOP);

  const refused = await get("/shop/api/cart", post("https://evil.example"));
  expect(refused.status).toBe(403);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
    "BUNTIME_ERR_CSRF_REJECTED",
  );
});

it("vouches for no one when the rules allow every origin (*), nor for an app without rules", async () => {
  const { apps, get } = await start();
  writeApp(join(apps, "open"), "open", { "buntime.json": JSON.stringify({ cors: { origins: "*" } }) });
  writeApp(join(apps, "plain"), "plain");
  for (const path of ["/open/api/cart", "/plain/api/cart"]) {
    const refused = await get(path, post(SHOP));
    expect(refused.status).toBe(403);
  }
});
