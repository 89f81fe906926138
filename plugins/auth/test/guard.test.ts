import { afterEach, describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cookieOf, errorOf, HASHING, json, pluginFolder, signIn, startAuth, stopKernels } from "./support.ts";

afterEach(stopKernels);

/** Writes `<home>/apps/<name>/` with an index and, when given, a buntime.json. */
function writeApp(home: string, name: string, config?: Record<string, unknown>, source = APP_SOURCE) {
  const dir = join(home, "apps", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.ts"), source);
  if (config) writeFileSync(join(dir, "buntime.json"), JSON.stringify(config));
}

const APP_SOURCE = "export default { fetch: () => new Response('app') };";

/** Where `mintAppToken` lives, for apps written by these tests (their folders have no node_modules). */
const APP_TOKEN_MODULE = JSON.stringify(
  join(import.meta.dir, "..", "..", "..", "sdk", "contract", "src", "app-token.ts"),
);

/**
 * An app that calls the path in `?to=` on the kernel as itself: with a token minted for the app
 * that path reaches, or for the app in `?for=`, or its own `BUNTIME_APP_TOKEN` with `?static`.
 */
const CALLER_SOURCE = `import { mintAppToken } from ${APP_TOKEN_MODULE};
export default { fetch: async (req) => {
  const query = new URL(req.url).searchParams;
  const to = query.get("to");
  const own = process.env.BUNTIME_APP_TOKEN;
  const token = query.has("static") ? own : mintAppToken(own, query.get("for") ?? to.split("/")[1]);
  const res = await fetch(process.env.BUNTIME_URL + to, { headers: { authorization: "Bearer " + token } });
  return new Response(res.status + " " + (await res.text()));
} };`;

/** Auth with the router, which tells auth which app a path reaches (`locals.app`). */
const ROUTER = pluginFolder("router");

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
    "lets a signed-in admin write to the kernel API as themselves",
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
    "knows the kernel's token when it is configured (BUNTIME_ADMIN_TOKEN) rather than generated",
    async () => {
      const { kernel } = await startAuth({ adminToken: "a configured admin token" });
      const cookie = await signIn(kernel);
      const response = await kernel.fetch("/_/api/plugins", json("POST", { nonsense: true }, { cookie }));
      expect((await errorOf(response)).code).toBe("BUNTIME_ERR_BAD_REQUEST");
      const withToken = await kernel.fetch(
        "/logs/api/x",
        json("POST", {}, { authorization: "Bearer a configured admin token" }),
      );
      expect(withToken.status).toBe(404); // past the admin path's guard, to no plugin there
    },
    HASHING,
  );

  it(
    "refuses kernel API writes to a client that only claims to be an admin in headers",
    async () => {
      const { kernel } = await startAuth();
      const response = await kernel.fetch(
        "/_/api/plugins",
        json("POST", {}, { "x-buntime-user": "admin", "x-buntime-roles": "admin" }),
      );
      expect(response.status).toBe(401);
      expect((await errorOf(response)).code).toBe("BUNTIME_ERR_AUTH_REQUIRED");
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
      // a path a later decode could turn into `//host` is not come back to: sign-in lands on /
      const odd = await kernel.fetch("/echo/%2F%2Fevil.example", { headers: { accept: "text/html,*/*" } });
      expect(odd.status).toBe(302);
      expect(odd.headers.get("location")).toBe("/auth/login");
      const api = await kernel.fetch("/echo/private", { headers: { accept: "application/json" } });
      expect(api.status).toBe(401);
      expect(api.headers.get("www-authenticate")).toBe('Bearer realm="buntime"');
      // the 401 says where a person signs in, so a page's script can link there
      expect(await api.json()).toEqual({
        error: {
          code: "BUNTIME_ERR_AUTH_REQUIRED",
          message: "/echo/private needs a signed-in user or a token",
        },
        signIn: "/auth/login",
      });
      const me = await kernel.fetch("/auth/me");
      expect(me.status).toBe(401);
      expect(((await me.json()) as { signIn: string }).signIn).toBe("/auth/login");
    },
    HASHING,
  );

  it("tells a browser's page loads from its scripts' calls by Sec-Fetch-Mode and Sec-Fetch-Dest", async () => {
    const { kernel } = await startAuth({ config: { protectedPaths: ["/echo/*"] } });
    const get = (path: string, headers: Record<string, string>) =>
      kernel.fetch(path, { headers: { accept: "text/html,*/*", ...headers } });
    const next = `/auth/login?next=${encodeURIComponent("/echo/page?x=1")}`;
    // the window navigates: to sign-in and back
    const top = await get("/echo/page?x=1", { "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" });
    expect(top.status).toBe(302);
    expect(top.headers.get("location")).toBe(next);
    // a frame navigates: a 401 page that asks the shell to sign in, with a link for anywhere else
    const framed = await get("/echo/page?x=1", { "sec-fetch-mode": "navigate", "sec-fetch-dest": "iframe" });
    expect(framed.status).toBe(401);
    expect(framed.headers.get("content-type")).toContain("text/html");
    const html = await framed.text();
    expect(html).toContain(`href="${next.replaceAll("&", "&#38;")}" target="_top"`);
    expect(html).toContain('name: "sign-in"');
    // a script's fetch or XHR, even one that accepts HTML, gets the coded JSON 401, never a redirect
    for (const mode of ["cors", "same-origin", "no-cors"]) {
      const call = await get("/echo/page", { "sec-fetch-mode": mode, "sec-fetch-dest": "empty" });
      expect(call.status).toBe(401);
      expect((await errorOf(call)).code).toBe("BUNTIME_ERR_AUTH_REQUIRED");
    }
    // API paths answer JSON to a navigation too
    const api = await get("/echo/api/x", { "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" });
    expect(api.status).toBe(401);
    expect((await errorOf(api)).code).toBe("BUNTIME_ERR_AUTH_REQUIRED");
  });

  it(
    "ignores x-buntime-user headers a client sends and names signed-in users in locals.user",
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

  it(
    "names a signed-in user on open paths too, and lets a bad token through there without one",
    async () => {
      const { kernel, adminToken } = await startAuth();
      const cookie = await signIn(kernel);
      const open = await kernel.fetch("/echo/open", { headers: { cookie } });
      expect(await open.json()).toEqual({ path: "/echo/open", user: "admin", roles: "admin" });
      const kernelAdmin = await kernel.fetch("/echo/open", {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      expect(await kernelAdmin.json()).toEqual({ path: "/echo/open", user: "kernel-admin", roles: "admin" });
      const badToken = await kernel.fetch("/echo/open", { headers: { authorization: "Bearer bak_revoked" } });
      expect(badToken.status).toBe(200);
      expect(await badToken.json()).toEqual({ path: "/echo/open", user: null, roles: null });
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
      const { kernel } = await startAuth({ plugins: [ROUTER] });
      writeApp(kernel.home, "crm", { visibility: "protected", publicRoutes: ["/health", "/assets/*"] });
      expect((await kernel.fetch("/crm/customers")).status).toBe(401);
      expect((await kernel.fetch("/crm@1.0.0/customers")).status).toBe(401);
      expect((await kernel.fetch("/crm/health")).status).toBe(200); // open: on to the app
      expect((await kernel.fetch("/crm/assets/app.css")).status).toBe(200);
      const cookie = await signIn(kernel);
      expect((await kernel.fetch("/crm/customers", { headers: { cookie } })).status).toBe(200);
    },
    HASHING,
  );

  it(
    "lets only other apps and admins reach an internal app, and other apps a protected one",
    async () => {
      const { kernel } = await startAuth({ plugins: [ROUTER], listen: true });
      writeApp(kernel.home, "billing", { visibility: "internal" });
      writeApp(kernel.home, "shop", undefined, CALLER_SOURCE);
      writeApp(kernel.home, "crm", { visibility: "protected" });
      const stranger = await kernel.fetch("/billing/invoices");
      expect(stranger.status).toBe(403);
      expect(await errorOf(stranger)).toEqual({
        code: "BUNTIME_ERR_AUTH_APP_INTERNAL",
        message: "app billing is internal: only other apps and plugins may call it",
      });
      const viaShop = (to: string, more = "") => kernel.fetch(`/shop/?to=${encodeURIComponent(to)}${more}`);
      expect(await (await viaShop("/billing/invoices")).text()).toBe("200 app");
      expect((await kernel.fetch("/crm/deals")).status).toBe(401);
      expect(await (await viaShop("/crm/deals")).text()).toBe("200 app");
      // the token is bound to its callee: one minted for crm does not open billing
      const refused = `401 ${JSON.stringify({ error: { code: "BUNTIME_ERR_AUTH_TOKEN_INVALID" } }).slice(0, 40)}`;
      expect(await (await viaShop("/billing/invoices", "&for=crm")).text()).toStartWith(refused);
      // and an app's own BUNTIME_APP_TOKEN is its key, not a ticket to other apps
      expect(await (await viaShop("/billing/invoices", "&static")).text()).toStartWith(refused);
      const cookie = await signIn(kernel);
      expect((await kernel.fetch("/billing/invoices", { headers: { cookie } })).status).toBe(200);
    },
    HASHING,
  );

  it(
    "takes the strictest visibility of a versioned app",
    async () => {
      const { kernel } = await startAuth({ plugins: [ROUTER] });
      writeApp(kernel.home, join("api", "1.0.0"));
      writeApp(kernel.home, join("api", "2.0.0"), { visibility: "protected" });
      expect((await kernel.fetch("/api@1.0.0/users")).status).toBe(401);
    },
    HASHING,
  );

  it(
    "treats an app with an invalid config as protected",
    async () => {
      const { kernel } = await startAuth({ plugins: [ROUTER] });
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
      const { kernel } = await startAuth({ config: { appConfigTtl: 0 }, plugins: [ROUTER] });
      writeApp(kernel.home, "notes");
      expect((await kernel.fetch("/notes/")).status).toBe(200);
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
