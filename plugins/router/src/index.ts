/**
 * @buntime/plugin-router: the plugin at `/` that sends `/:app/*` to apps. Apps live in
 * `<home>/apps/<name>/` or `<home>/apps/<name>/<version>/`; `/:app@1.2.3/*` and `/:app@^1/*`
 * pick a version (the highest that satisfies; plain `/:app/*` picks the highest installed).
 * Plugin bases always win over app names, since the kernel tries longer bases first.
 */
import { mkdirSync } from "node:fs";
import { definePlugin, type PluginContext } from "@buntime/sdk";
import { z } from "zod";
import { Router } from "./router.ts";

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
    routers.set(ctx, new Router(ctx, { appsDir, homepage: ctx.config.homepage }));
    ctx.logger.info(`serving apps from ${appsDir}`);
  },
  onShutdown(ctx) {
    routers.get(ctx)?.close();
    routers.delete(ctx);
  },
  fetch: (request, ctx) => routers.get(ctx)?.handle(request),
});
