/**
 * @buntime/shell: the micro-frontend shell as a plugin. It answers `/` with the home page (what
 * runs, and a sidebar of every plugin's and app's pages) and wraps a browser's navigation to any
 * of those pages (`/logs/…`) in the shell, which shows it in a sandboxed frame. At
 * `/shell/frame.js` it serves the frame protocol (`<z-frame>` for hosts, `frameSDK` inside
 * frames), with its typings at `/shell/frame.d.ts`.
 */
import {
  authBase,
  BuntimeError,
  DEFAULT_SIGN_IN_PATH,
  definePlugin,
  formatZodIssues,
  isBuntimeError,
  limitBody,
  type PluginContext,
  type RequestContext,
  signInPath,
} from "@buntime/sdk";
import { Hono } from "hono";
import { createAssets, serveAsset } from "./server/bundles.ts";
import { type Catalog, readCatalog } from "./server/catalog.ts";
import { createEventFeed } from "./server/events.ts";
import { admit } from "./server/gate.ts";
import { renderHome } from "./server/home.ts";
import { locateUi, type Opened, renderPage } from "./server/page.ts";
import { shellDescriptions as describe } from "./server/route-descriptions.ts";
import { renderNoAuthPage, setupAddress } from "./server/setup-page.ts";
import { type ShellView, shellMenu } from "./server/shell-pages.ts";
import { Timings, timingsReportSchema } from "./server/timings.ts";

const HTML = { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" };

/** True for a browser loading a page in its window (not a frame, a script or a curl). */
function isTopNavigation(request: Request): boolean {
  return (
    request.headers.get("sec-fetch-dest") === "document" &&
    request.headers.get("sec-fetch-mode") === "navigate"
  );
}

function createShell(ctx: PluginContext) {
  const plugins = ctx.services.get("kernel:plugins");
  const apps = () => (ctx.services.has("apps") ? ctx.services.get("apps") : undefined);
  const cluster = ctx.services.has("kernel:cluster") ? ctx.services.get("kernel:cluster") : undefined;
  const clusterView = () => cluster?.view() ?? Promise.resolve({ cluster: false as const });
  const catalog = () =>
    readCatalog(plugins, apps(), ctx.kernel.appsDir, shellMenu(cluster?.clustered === true));
  const timings = new Timings();
  // the metrics plugin exports them (buntime_shell_frame_init_to_ready_seconds)
  ctx.services.provide("frame-timings", { summary: () => timings.summary() });
  /** The whole shell page around the home, the frame of `opened`, or one of the shell's own `view`s. */
  async function shellPage(
    request: Request,
    context: RequestContext,
    current: Catalog,
    shown: { opened?: Opened; view?: ShellView },
  ): Promise<Response> {
    const admission = await admit(ctx, request, context, true);
    if (admission instanceof Response) return admission;
    const body = await renderPage({
      catalog: current,
      ...shown,
      ...admission,
      loginPath: signInPath(ctx.services) ?? DEFAULT_SIGN_IN_PATH,
      timings: timings.summary(),
    });
    return new Response(request.method === "HEAD" ? null : body, { headers: HTML });
  }

  /** The shell page for `/` or a deep link, or undefined to let the request through. */
  async function page(request: Request, context: RequestContext): Promise<Response | undefined> {
    const { pathname } = context;
    const home = pathname === "/";
    if (home && apps()?.locate("/") !== undefined) return undefined; // the router serves a homepage app
    const current = await catalog();
    const search = new URL(request.url).search;
    const opened = home ? undefined : locateUi(current.menu, pathname, search);
    if (!home && !opened) return undefined;
    return shellPage(request, context, current, opened ? { opened } : {});
  }

  function onRequest(request: Request, context: RequestContext): Promise<Response | undefined> | undefined {
    if (request.method !== "GET" && request.method !== "HEAD") return undefined;
    const { pathname } = context;
    if (pathname === "/") return page(request, context);
    // a deep link: a browser opening a UI's page by its address gets it inside the shell
    if (!isTopNavigation(request) || pathname.startsWith("/shell/") || pathname.includes("/api/"))
      return undefined;
    if (new URL(request.url).searchParams.has("standalone")) return undefined;
    return page(request, context);
  }

  const routes = new Hono<{ Bindings: RequestContext; Variables: { auth: boolean } }>();
  const assets = createAssets();
  routes.on(["GET", "HEAD"], "/:file{frame\\.js|frame\\.d\\.ts|shell\\.js}", async (c) => {
    const asset = assets(c.req.param("file"));
    return asset ? serveAsset(await asset, c.req.raw) : c.notFound();
  });
  // the shell's own pages: the same page around them, their script reads the data below
  for (const view of ["cluster", "api-reference"] as const) {
    routes.on(["GET", "HEAD"], `/${view}`, async (c) =>
      shellPage(c.req.raw, c.env, await catalog(), { view }),
    );
  }
  // the old first-run address: forwards to the auth plugin's first-admin page, which decides
  routes.get("/setup", async (c) => {
    const auth = authBase(ctx.services);
    if (auth === undefined) return c.html(await renderNoAuthPage(), 200, { "cache-control": "no-store" });
    return c.redirect(setupAddress(auth, c.req.url), 302);
  });
  // the shell's own API: the same gate as the page, answered as JSON
  routes.use("/api/*", async (c, next) => {
    const admission = await admit(ctx, c.req.raw, c.env, false);
    if (admission instanceof Response) return admission;
    c.set("auth", admission.auth);
    await next();
  });
  routes.get("/api/catalog", describe.catalog, async (c) => c.json(await catalog()));
  routes.get("/api/home", describe.home, async (c) =>
    c.html(await renderHome(await catalog(), c.get("auth"), timings.summary())),
  );
  routes.get("/api/cluster", describe.cluster, async (c) =>
    c.json(await clusterView(), 200, { "cache-control": "no-store" }),
  );
  routes.get("/api/timings", describe.timings, (c) => c.json({ initToReady: timings.summary() }));
  routes.post("/api/timings", describe.report, limitBody(), async (c) => {
    const report = timingsReportSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!report.success)
      throw new BuntimeError("BUNTIME_ERR_BAD_REQUEST", {
        details: `timings: ${formatZodIssues(report.error)}`,
      });
    timings.add(report.data.initToReady);
    return c.body(null, 204);
  });
  routes.onError((error) => {
    if (isBuntimeError(error)) return error.getResponse();
    ctx.logger.error("shell request failed", { error });
    return new BuntimeError("BUNTIME_ERR_INTERNAL").getResponse();
  });
  routes.get(
    "/api/events",
    describe.events,
    createEventFeed(plugins, async () => (await catalog()).menu),
  );
  return { routes, onRequest };
}

export default definePlugin({
  setup: (ctx) => createShell(ctx),
});
