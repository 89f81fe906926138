/**
 * @buntime/plugin-router: the plugin at `/` that sends `/:app/*` to apps. Apps live in
 * `<home>/apps/<name>/` or `<home>/apps/<name>/<version>/`; `/:app@1.2.3/*` and `/:app@^1/*`
 * pick a version (the highest that satisfies; plain `/:app/*` picks the highest installed).
 * Plugin bases always win over app names, since the kernel tries longer bases first.
 * It provides the `apps` service: each app's workers get `BUNTIME_APP`, `BUNTIME_APP_TOKEN` and
 * `BUNTIME_URL`, and plugins ask `apps.identify(request)` which app is calling them,
 * `apps.locate(pathname)` which app a path reaches (the homepage at `/` too) and
 * `apps.folders(name)` where its versions live, whatever `appsDir` is: auth guards apps so.
 */
import { mkdirSync } from "node:fs";
import { definePlugin, type PluginContext } from "@buntime/sdk";
import { z } from "zod";
import { type AppsService, AppTokens } from "./app-identity.ts";
import { Router } from "./router.ts";

export type { AppIdentity, AppLocation, AppsService } from "./app-identity.ts";
export { APP_TOKEN_HEADER } from "./app-identity.ts";

/** Settings of the router plugin. */
export const routerConfigSchema = z
  .object({
    /** Folder of app folders. @default "<home>/apps" */
    appsDir: z.string().min(1).optional(),
    /** Name of the app served at `/`. */
    homepage: z.string().min(1).optional(),
  })
  .strict();

const routers = new WeakMap<PluginContext, Router>();

export default definePlugin({
  config: routerConfigSchema,
  onInit(ctx) {
    const appsDir = ctx.config.appsDir ?? ctx.kernel.appsDir;
    mkdirSync(appsDir, { recursive: true });
    const tokens = new AppTokens();
    const router = new Router(ctx, { appsDir, homepage: ctx.config.homepage, tokens });
    routers.set(ctx, router);
    const apps = {
      identify: (request: Request) => tokens.identify(request),
      locate: (pathname: string) => router.locate(pathname),
      folders: (name: string) => router.folders(name),
    } satisfies Required<AppsService>;
    ctx.services.provide("apps", apps);
    ctx.logger.info(`serving apps from ${appsDir}`);
  },
  onServerStart(ctx, server) {
    routers.get(ctx)?.setKernelUrl(server.url);
  },
  onShutdown(ctx) {
    routers.get(ctx)?.close();
    routers.delete(ctx);
  },
  fetch: (request, ctx) => routers.get(ctx)?.handle(request),
});
