/** The two halves of an OpenID Connect sign-in as routes: the redirect out, and the callback. */
import { BuntimeError, sameSitePath } from "@buntime/sdk";
import type { Context, Hono } from "hono";
import type { OidcClient } from "./oidc.ts";
import { authDescriptions as describe } from "./route-descriptions.ts";
import type { UserStore } from "./users.ts";

/** Adds `/oidc/login` and `/oidc/callback` to `app`; `startSession` signs the user in. */
export function mountOidcRoutes(
  app: Hono,
  oidc: OidcClient | undefined,
  users: UserStore,
  startSession: (c: Context, username: string) => Promise<void>,
): void {
  app.get("/oidc/login", describe.oidcLogin, async (c) => {
    if (!oidc) throw new BuntimeError("BUNTIME_ERR_AUTH_NOT_FOUND", { what: "sign-in method", id: "oidc" });
    const next = sameSitePath(c.req.query("next")) ?? "/";
    return c.redirect(await oidc.authorizationUrl(new URL(c.req.url), next), 302);
  });

  app.get("/oidc/callback", describe.oidcCallback, async (c) => {
    if (!oidc) throw new BuntimeError("BUNTIME_ERR_AUTH_NOT_FOUND", { what: "sign-in method", id: "oidc" });
    const code = c.req.query("code");
    const state = c.req.query("state");
    if (!code || !state) {
      const reason = c.req.query("error_description") ?? c.req.query("error") ?? "no code or state";
      throw new BuntimeError("BUNTIME_ERR_AUTH_REQUEST_INVALID", {
        details: `OpenID Connect callback: ${reason}`,
      });
    }
    const identity = await oidc.complete(new URL(c.req.url).searchParams);
    const existing = await users.get(identity.username);
    // an address anyone could claim at the issuer never becomes an admin, new or existing
    if (!identity.verified && (identity.admin || existing?.roles.includes("admin"))) {
      throw oidc.unverifiedAdmin(identity.username);
    }
    const roles = new Set(existing?.roles ?? []);
    if (identity.admin) roles.add("admin");
    await users.put({
      username: identity.username,
      roles: [...roles],
      passwordHash: existing?.passwordHash,
      createdAt: existing?.createdAt ?? Date.now(),
    });
    await startSession(c, identity.username);
    return c.redirect(identity.next, 302);
  });
}
