import { BuntimeError } from "@buntime/sdk";
import type { Context, MiddlewareHandler } from "hono";
import { getConnInfo } from "hono/bun";
import type { Caller, RegistryContext, RegistryEnv } from "../context.ts";
import type { TokenScope } from "../storage/types.ts";
import { hashToken, scopeAllows } from "./tokens.ts";

/** The address failed sign-ins are counted against. */
export function clientOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "local";
  } catch {
    return "local";
  }
}

/**
 * Reads `Authorization: Bearer <token>` and sets `caller`. A token that is unknown or revoked
 * is a 401 and counts as a failed sign-in from the client's address (429 once that address is
 * limited); a valid token is accepted without consulting the limiter.
 */
export function identify(ctx: RegistryContext): MiddlewareHandler<RegistryEnv> {
  return async (c, next) => {
    c.set("caller", null);
    // Signing in must work while a stale token is still in the client's config.
    if (c.req.method === "PUT" && c.req.path.startsWith("/-/user/")) return next();
    const header = c.req.header("authorization");
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (match?.[1]) {
      // The token is looked up before the limiter: a valid token is never refused, however
      // many failed sign-ins came from its address.
      const token = await ctx.metadata.findToken(hashToken(match[1]));
      const user = token ? await ctx.metadata.getUser(token.user) : undefined;
      if (!token || !user) {
        const attempt = { address: clientOf(c) };
        await ctx.rateLimiter.check(attempt);
        await ctx.rateLimiter.fail(attempt);
        throw new BuntimeError("BUNTIME_ERR_REGISTRY_BAD_CREDENTIALS");
      }
      c.set("caller", { user, token });
    }
    await next();
  };
}

/**
 * The caller, who must hold a token of at least scope `need`.
 *
 * @param action what the caller is trying to do, for the error message
 */
export function requireCaller(c: Context<RegistryEnv>, need: TokenScope, action: string): Caller {
  const caller = c.get("caller");
  if (!caller) throw new BuntimeError("BUNTIME_ERR_REGISTRY_AUTH_REQUIRED", { action });
  if (!scopeAllows(caller.token.scope, need)) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_TOKEN_SCOPE", {
      scope: caller.token.scope,
      action,
      needed: need,
    });
  }
  return caller;
}

/** Refuses anonymous reads when the registry is private. */
export function requireReader(ctx: RegistryContext, c: Context<RegistryEnv>, action: string): void {
  if (!ctx.options.anonymousRead) requireCaller(c, "read", action);
}

/** Refuses a caller who neither owns the package nor is an admin. */
export function requireOwner(caller: Caller, owners: string[], name: string): void {
  if (owners.includes(caller.user.name)) return;
  if (caller.user.admin && caller.token.scope === "admin") return;
  throw new BuntimeError("BUNTIME_ERR_REGISTRY_NOT_OWNER", { user: caller.user.name, package: name });
}
