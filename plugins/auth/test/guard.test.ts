import { afterEach, describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { definePlugin } from "@buntime/sdk";
import { cookieOf, errorOf, HASHING, json, signIn, startAuth, stopKernels } from "./support.ts";

afterEach(stopKernels);

/** Writes `<home>/apps/<name>/` with an index and, when given, a buntime.json. */
function writeApp(home: string, name: string, config?: Record<string, unknown>) {
  const dir = join(home, "apps", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.ts"), "export default { fetch: () => new Response('app') };");
  if (config) writeFileSync(join(dir, "buntime.json"), JSON.stringify(config));
}

/** A plugin that provides `apps` and names the calling app from `x-test-app`. */
const fakeApps = {
  packageJson: { name: "fake-apps", version: "1.0.0", buntime: { kernel: "^0.1.0", provides: ["apps"] } },
  plugin: definePlugin({
    onInit(ctx) {
      ctx.services.provide("apps", {
        identify: (request: Request) => request.headers.get("x-test-app") ?? undefined,
      } as never);
    },
  }),
};

describe("the auth guard with no settings", () => {
  it(
    "keeps public apps, plugin paths and kernel API reads open",
    async () => {
      const { kernel } = await startAuth();
      writeApp(kernel.home, "site");
      expect((await kernel.fetch("/_/api/health")).status).toBe(200);
      expect((await kernel.fetch("/_/api/plugins")).status).toBe(200);
      const echo = await kernel.fetch("/echo/anything");
      expect(echo.status).toBe(200);
      expect(await echo.json()).toEqual({ path: "/echo/anything", user: null, roles: null });
      // no router here: an open app path reaches the kernel's 404, not a 401
      expect((await kernel.fetch("/site/page")).status).toBe(404);
    },
    HASHING,
  );

  it(
    "answers kernel API writes without credentials with 401 JSON",
    async () => {
      const { kernel } = await startAuth();
      const response = await kernel.fetch("/_/api/plugins", json("POST", { name: "x", version: "1.0.0" }));
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain("Bearer");
      expect(await errorOf(response)).toEqual({
        code: "BUNTIME_ERR_AUTH_REQUIRED",
        message: "/_/api/plugins needs a signed-in user or a token",
      });
    },
    HASHING,
  );

  it(
    "lets the kernel's admin token through to the kernel, which checks it",
    async () => {
      const { kernel, adminToken } = await startAuth();
      const withToken = await kernel.fetch(
        "/_/api/plugins",
        json("POST", { nonsense: true }, { authorization: `Bearer ${adminToken}` }),
      );
      expect(withToken.status).toBe(400);
      expect((await errorOf(withToken)).code).toBe("BUNTIME_ERR_BAD_REQUEST");
      const wrong = await kernel.fetch(
        "/_/api/plugins",
        json("POST", { nonsense: true }, { authorization: "Bearer not-the-token" }),
      );
      expect(wrong.status).toBe(401);
      expect((await errorOf(wrong)).code).toBe("BUNTIME_ERR_UNAUTHORIZED");
    },
    HASHING,
  );

  it(
    "lends a signed-in admin the kernel's token for kernel API writes",
    async () => {
      const { kernel } = await startAuth();
      const cookie = await signIn(kernel);
      const response = await kernel.fetch("/_/api/plugins", json("POST", { nonsense: true }, { cookie }));
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe("BUNTIME_ERR_BAD_REQUEST");
    },
    HASHING,
  );

  it(
    "lends the token of BUNTIME_ADMIN_TOKEN when the kernel's token is configured",
    async () => {
      process.env.BUNTIME_ADMIN_TOKEN = "a configured admin token";
      const { kernel } = await startAuth({ adminToken: "a configured admin token" });
      const cookie = await signIn(kernel);
      const response = await kernel.fetch("/_/api/plugins", json("POST", { nonsense: true }, { cookie }));
      expect((await errorOf(response)).code).toBe("BUNTIME_ERR_BAD_REQUEST");
    },
    HASHING,
  );

  it(
    "refuses kernel API writes to a signed-in user who is not an admin",
    async () => {
      const { kernel } = await startAuth();
      const admin = await signIn(kernel);
      const created = await kernel.fetch(
        "/auth/api/users",
        json("POST", { username: "bob", password: "bobs password", roles: ["dev"] }, { cookie: admin }),
      );
      expect(created.status).toBe(201);
      const bob = await signIn(kernel, "bob", "bobs password");
      const response = await kernel.fetch("/_/api/plugins", json("POST", {}, { cookie: bob }));
      expect(response.status).toBe(403);
      expect(await errorOf(response)).toEqual({
        code: "BUNTIME_ERR_AUTH_FORBIDDEN",
        message: "bob may not POST /_/api/plugins (needs role admin)",
      });
    },
    HASHING,
  );

  it(
    "redirects a browser to the sign-in page and answers API clients with JSON",
    async () => {
      const { kernel } = await startAuth({ config: { protectedPaths: ["/echo/*"] } });
      const page = await kernel.fetch("/echo/private?x=1", { headers: { accept: "text/html,*/*" } });
      expect(page.status).toBe(302);
      expect(page.headers.get("location")).toBe(
        `/auth/login?next=${encodeURIComponent("/echo/private?x=1")}`,
      );
      const api = await kernel.fetch("/echo/private", { headers: { accept: "application/json" } });
      expect(api.status).toBe(401);
      expect((await errorOf(api)).code).toBe("BUNTIME_ERR_AUTH_REQUIRED");
    },
    HASHING,
  );

  it(
    "drops x-buntime-user headers a client sends and sets them for signed-in users",
    async () => {
      const { kernel } = await startAuth({ config: { protectedPaths: ["/echo/private/*"] } });
      const spoofed = await kernel.fetch("/echo/open", { headers: { "x-buntime-user": "admin" } });
      expect(await spoofed.json()).toEqual({ path: "/echo/open", user: null, roles: null });
      const cookie = await signIn(kernel);
      const signed = await kernel.fetch("/echo/private/x", {
        headers: { cookie, "x-buntime-user": "mallory" },
      });
      expect(await signed.json()).toEqual({ path: "/echo/private/x", user: "admin", roles: "admin" });
    },
    HASHING,
  );
});

describe("the auth guard's policy settings", () => {
  it(
    "applies public, protected and admin paths, public winning",
    async () => {
      const { kernel } = await startAuth({
        config: {
          protectedPaths: ["/echo/*"],
          adminPaths: ["/echo/admin/*"],
          publicPaths: ["/echo/admin/open"],
        },
      });
      expect((await kernel.fetch("/echo/x")).status).toBe(401);
      expect((await kernel.fetch("/echo/admin/open")).status).toBe(200);
      const admin = await signIn(kernel);
      await kernel.fetch(
        "/auth/api/users",
        json("POST", { username: "eve", password: "eves password" }, { cookie: admin }),
      );
      const eve = await signIn(kernel, "eve", "eves password");
      expect((await kernel.fetch("/echo/x", { headers: { cookie: eve } })).status).toBe(200);
      expect((await kernel.fetch("/echo/admin/x", { headers: { cookie: eve } })).status).toBe(403);
      expect((await kernel.fetch("/echo/admin/x", { headers: { cookie: admin } })).status).toBe(200);
    },
    HASHING,
  );

  it(
    "refuses a pattern that is not a path with a message naming the field",
    async () => {
      await expect(startAuth({ config: { publicPaths: ["docs"] } })).rejects.toThrow(/publicPaths/);
    },
    HASHING,
  );
});

describe("app visibility", () => {
  it(
    "guards a protected app except its publicRoutes",
    async () => {
      const { kernel } = await startAuth();
      writeApp(kernel.home, "crm", { visibility: "protected", publicRoutes: ["/health", "/assets/*"] });
      expect((await kernel.fetch("/crm/customers")).status).toBe(401);
      expect((await kernel.fetch("/crm@1.0.0/customers")).status).toBe(401);
      expect((await kernel.fetch("/crm/health")).status).toBe(404); // open: on to the (absent) router
      expect((await kernel.fetch("/crm/assets/app.css")).status).toBe(404);
      const cookie = await signIn(kernel);
      expect((await kernel.fetch("/crm/customers", { headers: { cookie } })).status).toBe(404);
    },
    HASHING,
  );

  it(
    "lets only other apps and admins reach an internal app, and other apps a protected one",
    async () => {
      const { kernel } = await startAuth({ plugins: [fakeApps] });
      writeApp(kernel.home, "billing", { visibility: "internal" });
      const stranger = await kernel.fetch("/billing/invoices");
      expect(stranger.status).toBe(403);
      expect(await errorOf(stranger)).toEqual({
        code: "BUNTIME_ERR_AUTH_APP_INTERNAL",
        message: "app billing is internal: only other apps and plugins may call it",
      });
      expect((await kernel.fetch("/billing/invoices", { headers: { "x-test-app": "shop" } })).status).toBe(
        404,
      );
      writeApp(kernel.home, "crm", { visibility: "protected" });
      expect((await kernel.fetch("/crm/deals")).status).toBe(401);
      expect((await kernel.fetch("/crm/deals", { headers: { "x-test-app": "shop" } })).status).toBe(404);
      const cookie = await signIn(kernel);
      expect((await kernel.fetch("/billing/invoices", { headers: { cookie } })).status).toBe(404);
    },
    HASHING,
  );

  it(
    "takes the strictest visibility of a versioned app",
    async () => {
      const { kernel } = await startAuth();
      writeApp(kernel.home, join("api", "1.0.0"));
      writeApp(kernel.home, join("api", "2.0.0"), { visibility: "protected" });
      expect((await kernel.fetch("/api@1.0.0/users")).status).toBe(401);
    },
    HASHING,
  );

  it(
    "treats an app with an invalid config as protected",
    async () => {
      const { kernel } = await startAuth();
      writeApp(kernel.home, "broken", { visibility: "secret" });
      expect((await kernel.fetch("/broken/")).status).toBe(401);
      expect(kernel.logs.some((entry) => entry.message.includes("app broken has an invalid config"))).toBe(
        true,
      );
    },
    HASHING,
  );

  it(
    "notices a visibility change once the cached config is older than appConfigTtl",
    async () => {
      const { kernel } = await startAuth({ config: { appConfigTtl: 0 } });
      writeApp(kernel.home, "notes");
      expect((await kernel.fetch("/notes/")).status).toBe(404);
      writeApp(kernel.home, "notes", { visibility: "protected" });
      expect((await kernel.fetch("/notes/")).status).toBe(401);
    },
    HASHING,
  );
});

describe("the session cookie", () => {
  it(
    "is HttpOnly and SameSite=Lax, and Secure over https",
    async () => {
      const { kernel } = await startAuth();
      const plain = await kernel.fetch(
        "/auth/login",
        json("POST", { username: "admin", password: "correct horse battery" }),
      );
      const cookie = plain.headers.getSetCookie()[0] ?? "";
      expect(cookie).toContain("HttpOnly");
      expect(cookie).toContain("SameSite=Lax");
      expect(cookie).not.toContain("Secure");
      const secure = await kernel.fetch(
        new Request(
          "https://example.test/auth/login",
          json("POST", { username: "admin", password: "correct horse battery" }),
        ),
      );
      expect(secure.headers.getSetCookie()[0]).toContain("Secure");
      expect(cookieOf(secure)).toMatch(/^buntime_session=[\w-]{40,}$/);
    },
    HASHING,
  );
});
