/**
 * @buntime/plugin-router: the plugin at `/` that sends `/:app/*` to apps. Apps live in
 * `<home>/apps/<name>/` or `<home>/apps/<name>/<version>/`; `/:app@1.2.3/*` and `/:app@^1/*`
 * pick a version (the highest that satisfies; plain `/:app/*` picks the highest installed).
 * Plugin bases always win over app names, since the kernel tries longer bases first.
 * Its `onRequest` puts the app a path reaches in `locals.app` (once per request, for every plugin),
 * and it forwards the signed-in user (`locals.user`) to apps as `x-buntime-user` /
 * `x-buntime-roles`, never the credentials that proved it (see `credentials.ts`). It provides the `apps` service: each app's workers get `BUNTIME_APP`,
 * `BUNTIME_APP_TOKEN` and `BUNTIME_URL`, and plugins ask `apps.identify(request)` which app is
 * calling them (`apps.identify(request, callee)` for a callee-bound token of an app-to-app call), `apps.locate(pathname)` which app a path reaches (the homepage at `/` too) and
 * `apps.folders(name)` where its versions live, whatever `appsDir` is.
 */
import { mkdirSync } from "node:fs";
import {
  type AppsService,
  corsSchema,
  definePlugin,
  schemaReferenceSchema,
  VIRTUAL_HOSTS_FILE,
  virtualHostsSchema,
} from "@buntime/sdk";
import { z } from "zod";
import { AppTokens } from "./app-identity.ts";
import { BaseCors } from "./base-cors.ts";
import { Router } from "./router.ts";
import { VirtualHosts } from "./virtual-hosts.ts";

export type { AppLocation, AppsService } from "@buntime/sdk";
export { APP_TOKEN_HEADER } from "./app-identity.ts";

/** Settings of the router plugin. */
export const routerConfigSchema = z
  .object({
    $schema: schemaReferenceSchema,
    /** Folder of app folders. @default "<home>/apps" */
    appsDir: z.string().min(1).optional(),
    /** Name of the app served at `/`. */
    homepage: z.string().min(1).optional(),
    /** Virtual hosts: `Host` (exact or `*.example.com`) → app (`shop`, `shop@^2`), served at `/`. @default {} */
    hosts: virtualHostsSchema.default({}),
    /** Cross-origin rules for plugin bases, e.g. `{ "/storage": { "origins": ["https://a.example"] } }`. @default {} */
    cors: z
      .record(
        z.string().regex(/^\/[^/]+(\/[^/]+)*$/, { message: 'expected a plugin base such as "/storage"' }),
        corsSchema,
      )
      .default({}),
  })
  .strict();

export default definePlugin({
  config: routerConfigSchema,
  async setup(ctx) {
    const appsDir = ctx.config.appsDir ?? ctx.kernel.appsDir;
    mkdirSync(appsDir, { recursive: true });
    const tokens = new AppTokens();
    const hosts = new VirtualHosts(appsDir, ctx.config.hosts, ctx.logger);
    const baseCors = new BaseCors(ctx.config.cors);
    await hosts.reload();
    const router = new Router(ctx, {
      appsDir,
      homepage: ctx.config.homepage,
      tokens,
      changed: (path) => {
        if (path === null || path === VIRTUAL_HOSTS_FILE) void hosts.reload();
      },
    });
    ctx.services.provide("apps", {
      identify: (request, callee) => tokens.identify(request, callee),
      locate: (pathname) => router.locate(pathname),
      folders: (name) => router.folders(name),
    } satisfies AppsService);
    // an app's cors rules name the sites it trusts: the kernel's cross-site write check hears them
    if (ctx.services.has("kernel:origins")) {
      ctx.services.get("kernel:origins").vouch((origin, pathname) => router.vouchesFor(origin, pathname));
    }
    ctx.logger.info(`serving apps from ${appsDir}`);
    return {
      // on every request's path (and its Host, once virtual hosts exist): synchronous, and
      // nothing stored for paths that are no app address
      onRequest(request, context) {
        const app =
          (!hosts.empty && hosts.match(request, context.pathname)) || router.locate(context.pathname);
        if (app) context.locals.app = app;
        // preflights carry no credentials: answered here, before auth, by the rules that apply
        if (request.method === "OPTIONS") {
          return baseCors.preflight(request, context.pathname) ?? router.preflight(request, context);
        }
      },
      // only with rules for plugin bases: every other kernel skips the hook altogether
      ...(!baseCors.empty && {
        onResponse: (response: Response, request: Request, context: { pathname: string }) =>
          baseCors.answer(response, request, context.pathname),
      }),
      fetch: (request, context) => router.handle(request, context),
      onServerStart(server) {
        router.setKernelUrl(server.url);
      },
      onShutdown() {
        router.close();
      },
    };
  },
});
