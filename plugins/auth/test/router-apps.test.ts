/**
 * Auth with the router: the guard learns from the router's `apps` service which app a path
 * reaches (the homepage at `/` too) and where apps live (the router's own `appsDir`).
 */
import { afterEach, describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorOf, HASHING, pluginFolder, signIn, startAuth, stopKernels } from "./support.ts";

const dirs: string[] = [];
afterEach(async () => {
  await stopKernels();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const ROUTER = "@buntime/plugin-router";

/** Writes `<appsDir>/<name>/`: a worker answering with its name, path and user, and a buntime.json. */
function writeApp(appsDir: string, name: string, config?: Record<string, unknown>) {
  const dir = join(appsDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "index.ts"),
    `export default { fetch: (req) => Response.json({ app: ${JSON.stringify(name)},
      path: new URL(req.url).pathname, user: req.headers.get("x-buntime-user") }) };`,
  );
  if (config) writeFileSync(join(dir, "buntime.json"), JSON.stringify(config));
}

/** Auth and the router with `settings` for the router; apps go to the returned `apps` folder. */
async function startWithRouter(settings: { homepage?: string; customAppsDir?: boolean } = {}) {
  const appsDir = settings.customAppsDir ? mkdtempSync(join(tmpdir(), "buntime-auth-apps-")) : undefined;
  if (appsDir) dirs.push(appsDir);
  const { kernel } = await startAuth({
    plugins: [pluginFolder("router")],
    settings: { [ROUTER]: { homepage: settings.homepage, appsDir } },
    listen: true,
  });
  const url = kernel.url as URL;
  /** A real HTTP request to the listening kernel. */
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(new URL(path, url), { headers, redirect: "manual" });
  return { kernel, apps: appsDir ?? join(kernel.home, "apps"), get };
}

describe("a homepage app at /", () => {
  it(
    "needs a signed-in user at / when protected, as at /<name>/",
    async () => {
      const { kernel, apps, get } = await startWithRouter({ homepage: "portal" });
      writeApp(apps, "portal", { visibility: "protected" });
      const anonymous = await get("/", { accept: "application/json" });
      expect(anonymous.status).toBe(401);
      expect(await errorOf(anonymous)).toEqual({
        code: "BUNTIME_ERR_AUTH_REQUIRED",
        message: "/ needs a signed-in user or a token",
      });
      const page = await get("/?tab=news", { accept: "text/html" });
      expect(page.status).toBe(302);
      expect(page.headers.get("location")).toBe(`/auth/login?next=${encodeURIComponent("/?tab=news")}`);
      expect((await get("/portal/")).status).toBe(401);

      const cookie = await signIn(kernel);
      const signed = await get("/", { cookie, "x-buntime-user": "mallory" });
      expect(signed.status).toBe(200);
      expect(await signed.json()).toEqual({ app: "portal", path: "/", user: "admin" });
    },
    HASHING,
  );

  it(
    "applies the homepage's publicRoutes at / as at /<name>/",
    async () => {
      const { apps, get } = await startWithRouter({ homepage: "landing" });
      writeApp(apps, "landing", { visibility: "protected", publicRoutes: ["/"] });
      const open = await get("/", { "x-buntime-user": "mallory" });
      expect(open.status).toBe(200);
      expect(await open.json()).toEqual({ app: "landing", path: "/", user: null });
      expect((await get("/landing/")).status).toBe(200);
      expect((await get("/landing/account")).status).toBe(401);
    },
    HASHING,
  );

  it(
    "keeps an internal homepage from outside callers, and lets admins in",
    async () => {
      const { kernel, apps, get } = await startWithRouter({ homepage: "ops" });
      writeApp(apps, "ops", { visibility: "internal" });
      const stranger = await get("/");
      expect(stranger.status).toBe(403);
      expect((await errorOf(stranger)).code).toBe("BUNTIME_ERR_AUTH_APP_INTERNAL");
      expect((await get("/ops/")).status).toBe(403);
      const cookie = await signIn(kernel);
      expect((await get("/", { cookie })).status).toBe(200);
    },
    HASHING,
  );

  it(
    "leaves / open, on to a 404, without a homepage or without the router",
    async () => {
      const { get } = await startWithRouter();
      expect((await get("/")).status).toBe(404);
      await stopKernels();
      const { kernel } = await startAuth();
      expect((await kernel.fetch("/")).status).toBe(404);
    },
    HASHING,
  );
});

describe("apps in the router's own appsDir", () => {
  it(
    "guards a protected app there, not what the kernel's apps folder holds under its name",
    async () => {
      const { kernel, apps, get } = await startWithRouter({ customAppsDir: true });
      writeApp(apps, "crm", { visibility: "protected", publicRoutes: ["/health"] });
      writeApp(join(kernel.home, "apps"), "crm", { visibility: "public" }); // not served: a decoy
      expect((await get("/crm/customers")).status).toBe(401);
      expect((await get("/crm@1/customers")).status).toBe(401);
      expect((await get("/crm%40%5E1/customers")).status).toBe(401);
      expect((await get("/crm%40latest/customers")).status).toBe(404); // no app address to the router
      expect(await (await get("/crm/health")).json()).toEqual({ app: "crm", path: "/health", user: null });
      const cookie = await signIn(kernel);
      expect(await (await get("/crm/customers", { cookie })).json()).toEqual({
        app: "crm",
        path: "/customers",
        user: "admin",
      });
    },
    HASHING,
  );

  it(
    "takes the strictest visibility of a versioned app there",
    async () => {
      const { apps, get } = await startWithRouter({ customAppsDir: true });
      writeApp(apps, join("api", "1.0.0"));
      writeApp(apps, join("api", "2.0.0"), { visibility: "internal" });
      expect((await get("/api@1.0.0/users")).status).toBe(403);
      expect((await get("/api/users")).status).toBe(403);
    },
    HASHING,
  );

  it(
    "keeps an internal app there from outside callers and answers 404 for unknown apps",
    async () => {
      const { apps, get } = await startWithRouter({ customAppsDir: true, homepage: "nowhere" });
      writeApp(apps, "billing", { visibility: "internal" });
      const internal = await get("/billing/invoices");
      expect(internal.status).toBe(403);
      expect(await errorOf(internal)).toEqual({
        code: "BUNTIME_ERR_AUTH_APP_INTERNAL",
        message: "app billing is internal: only other apps and plugins may call it",
      });
      expect((await get("/nobody/here")).status).toBe(404);
      expect((await get("/")).status).toBe(404); // a homepage that is not installed
      expect((await get("/echo/x")).status).toBe(200); // plugin paths stay as they were
    },
    HASHING,
  );
});
