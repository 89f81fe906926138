import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PluginContext, RequestContext } from "@buntime/sdk";
import { callerOf } from "../src/access.ts";
import { type Bench, startBench } from "./support.ts";

const PASSWORD = "correct horse battery";
const JSON_HEADERS = { "content-type": "application/json" };

describe("who may use the marketplace, with the auth plugin", () => {
  let bench: Bench;
  const at = (path: string) => new URL(path, bench.url);
  const signIn = async (username: string, password: string) => {
    const response = await fetch(at("/auth/login"), {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ username, password }),
    });
    expect(response.status).toBe(200);
    return (response.headers.get("set-cookie") ?? "").split(";")[0] as string;
  };
  const apply = (headers: Record<string, string>) =>
    fetch(at("/marketplace/api/apply"), {
      method: "POST",
      headers: { ...JSON_HEADERS, ...headers },
      body: JSON.stringify({ action: "install", name: "@acme/hello" }),
    });

  beforeAll(async () => {
    bench = await startBench([join(import.meta.dir, "..", "..", "auth")], {
      BUNTIME_ADMIN_PASSWORD: PASSWORD,
    });
    await bench.publish({ name: "@acme/hello", version: "1.0.0" });
  }, 30_000);
  afterAll(() => bench?.stop());

  it("refuses an anonymous caller, pages and API alike", async () => {
    expect((await fetch(at("/marketplace/"), { redirect: "manual" })).status).toBe(401);
    const plan = await fetch(at("/marketplace/api/plan?action=install&name=@acme/hello"));
    expect(plan.status).toBe(401);
    expect(await plan.json()).toMatchObject({
      error: { code: "BUNTIME_ERR_AUTH_REQUIRED" },
      signIn: "/auth/login",
    });
    expect((await apply({})).status).toBe(401);
    expect((await fetch(at("/hello/x"))).status).toBe(404);
  });

  it("lets a signed-in user without the admin role read, and nothing more", async () => {
    const admin = await signIn("admin", PASSWORD);
    const created = await fetch(at("/auth/api/users"), {
      method: "POST",
      headers: { ...JSON_HEADERS, cookie: admin },
      body: JSON.stringify({ username: "bob", password: "bob's long password", roles: [] }),
    });
    expect(created.status).toBeLessThan(300);
    const bob = await signIn("bob", "bob's long password");
    const page = await (
      await fetch(at("/marketplace/plugin/@acme/hello"), { headers: { cookie: bob } })
    ).text();
    expect(page).toContain("Only an admin may install, upgrade or remove plugins.");
    expect(page).not.toContain('data-action="install"');
    const plan = await fetch(at("/marketplace/api/plan?action=install&name=@acme/hello"), {
      headers: { cookie: bob },
    });
    expect(plan.status).toBe(403);
    expect(((await plan.json()) as { error: { code: string } }).error.code).toBe(
      "BUNTIME_ERR_MARKETPLACE_ADMIN_ONLY",
    );
    expect((await apply({ cookie: bob })).status).toBe(403);
    expect((await fetch(at("/marketplace/api/audit.jsonl"), { headers: { cookie: bob } })).status).toBe(403);
    expect((await fetch(at("/hello/x"))).status).toBe(404);
  });

  it("lets an admin act, by session (same origin only) or with the kernel's admin token", async () => {
    const admin = await signIn("admin", PASSWORD);
    const crossSite = await apply({ cookie: admin, origin: "https://evil.test" });
    expect(crossSite.status).toBe(403);
    expect(((await crossSite.json()) as { error: { code: string } }).error.code).toBe(
      "BUNTIME_ERR_CSRF_REJECTED",
    );
    const page = await (
      await fetch(at("/marketplace/plugin/@acme/hello"), { headers: { cookie: admin } })
    ).text();
    expect(page).toContain('data-action="install"');
    const plan = await fetch(at("/marketplace/api/plan?action=install&name=@acme/hello"), {
      headers: { cookie: admin },
    });
    expect(plan.status).toBe(200);
    const token = readFileSync(join(bench.kernel.home, "admin-token"), "utf8").trim();
    const started = await apply({ authorization: `Bearer ${token}` });
    expect(started.status).toBe(202);
    const events = await (
      await fetch(at(((await started.json()) as { events: string }).events), {
        headers: { authorization: `Bearer ${token}` },
      })
    ).text();
    expect(events).toContain('"type":"done"');
    expect(await (await fetch(at("/hello/x"))).text()).toBe("@acme/hello@1.0.0");
    const trail = await (
      await fetch(at("/marketplace/api/audit.jsonl"), { headers: { cookie: admin } })
    ).text();
    expect(JSON.parse(trail.trim())).toMatchObject({
      who: "admin-token",
      action: "install",
      outcome: "done",
    });
  }, 60_000);
});

describe("the marketplace's own 401, with auth mounted at /id", () => {
  const plugins = [
    { name: "auth", version: "1.0.0", base: "/id", status: "running", provides: ["auth"], dependencies: {} },
  ];
  const services: Record<string, unknown> = {
    auth: { currentUser: async () => undefined },
    "kernel:admin": { isAdmin: () => false },
    "kernel:plugins": { list: () => plugins, subscribe: () => () => {} },
  };
  const ctx = {
    services: { has: (name: string) => name in services, get: (name: string) => services[name] },
  } as never as PluginContext;
  const context: RequestContext = {
    requestId: "r",
    pathname: "/marketplace/api/plan",
    locals: {},
    clientAddress: () => undefined,
  };

  it("names /id/login, so the page's Sign in link goes there", async () => {
    const refused = (await callerOf(ctx, new Request("http://x/marketplace/api/plan"), context)) as Response;
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="buntime"');
    expect(await refused.json()).toMatchObject({
      error: { code: "BUNTIME_ERR_AUTH_REQUIRED" },
      signIn: "/id/login",
    });
  });
});
