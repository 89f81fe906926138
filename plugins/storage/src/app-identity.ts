/**
 * Which app a request comes from. The router plugin provides the `apps` service, which knows
 * every app's token (`BUNTIME_APP_TOKEN` in the app's worker); storage only asks it.
 */
import { BuntimeError, type PluginContext } from "@buntime/sdk";

/** The shape of the router's `apps` service that storage relies on. */
export interface AppIdentity {
  /** The app whose token the request carries (`Authorization: Bearer` or `x-buntime-app-token`). */
  identify(request: Request): string | undefined;
}

/** The name of the calling app; throws 401 without a valid app token, 503 without an `apps` service. */
export function requireApp(request: Request, ctx: PluginContext): string {
  if (!ctx.services.has("apps")) throw new BuntimeError("BUNTIME_ERR_STORAGE_APPS_UNAVAILABLE");
  const apps = ctx.services.get("apps") as AppIdentity;
  const app = apps.identify(request);
  if (typeof app !== "string" || app.length === 0) {
    throw new BuntimeError("BUNTIME_ERR_STORAGE_APP_UNAUTHORIZED");
  }
  return app;
}
