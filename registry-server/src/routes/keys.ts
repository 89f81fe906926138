import type { RegistryApp, RegistryContext } from "../context.ts";

/** The registry's signing keys in npm's format, read by `npm audit signatures`. */
export function keyRoutes(app: RegistryApp, ctx: RegistryContext): void {
  app.get("/-/npm/v1/keys", (c) => c.json({ keys: ctx.signer.keys() }));
  app.get("/-/ping", (c) => c.json({}));
}
