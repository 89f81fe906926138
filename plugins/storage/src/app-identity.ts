/**
 * Which app a request comes from. The router plugin provides the `apps` service, which knows
 * every app's token (`BUNTIME_APP_TOKEN` in the app's worker); storage only asks it.
 */
import { BuntimeError, type ServiceAccess } from "@buntime/sdk";

/** The name of the calling app; throws 401 without a valid app token, 503 without an `apps` service. */
export function requireApp(request: Request, services: ServiceAccess): string {
  if (!services.has("apps")) throw new BuntimeError("BUNTIME_ERR_STORAGE_APPS_UNAVAILABLE");
  const app = services.get("apps").identify(request);
  if (app === undefined || app.length === 0) throw new BuntimeError("BUNTIME_ERR_STORAGE_APP_UNAUTHORIZED");
  return app;
}
