/** An app's cors rules: preflights answered by the router, allowed origins and credentials on answers, others left out. */
import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { start, writeApp } from "./support.ts";

const SHOP = "https://shop.example.com";

function preflight(origin: string, method = "PUT", headers = "content-type") {
  return {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": method, "access-control-request-headers": headers },
  };
}

describe("cross-origin rules of an app", () => {
  it("answers a preflight for an allowed origin without waking the app, with credentials and max age", async () => {
    const { apps, get } = await start();
    const cors = { origins: [SHOP], credentials: true, headers: ["content-type"], maxAge: "1m" };
    writeApp(join(apps, "api"), "api", { "buntime.json": JSON.stringify({ cors }) });
    const response = await get("/api/items", preflight(SHOP));
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-allow-methods")).toContain("PUT");
    expect(response.headers.get("access-control-allow-headers")).toBe("content-type");
    expect(response.headers.get("access-control-max-age")).toBe("60");

    const actual = await get("/api/items", { headers: { origin: SHOP } });
    expect(((await actual.json()) as { tag: string }).tag).toBe("api");
    expect(actual.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(actual.headers.get("vary")).toContain("Origin");
  });

  it("gives an origin that is not listed no access-control header", async () => {
    const { apps, get } = await start();
    writeApp(join(apps, "api"), "api", { "buntime.json": JSON.stringify({ cors: { origins: [SHOP] } }) });
    const other = await get("/api/items", { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const pre = await get("/api/items", preflight("https://evil.example"));
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("adds nothing for an app without rules, and refuses * with credentials naming the field", async () => {
    const { apps, get } = await start();
    writeApp(join(apps, "plain"), "plain");
    expect(
      (await get("/plain/", { headers: { origin: SHOP } })).headers.get("access-control-allow-origin"),
    ).toBeNull();
    writeApp(join(apps, "loose"), "loose", {
      "buntime.json": JSON.stringify({ cors: { origins: "*", credentials: true } }),
    });
    const refused = await get("/loose/");
    expect(refused.status).toBe(500);
    expect(await refused.text()).toContain("cors.credentials");
  });
});
