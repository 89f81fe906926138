import { BuntimeError } from "@buntime/sdk";
import { z } from "zod";
import { clientOf, requireCaller } from "../auth/identify.ts";
import { mintToken } from "../auth/tokens.ts";
import type { RegistryApp, RegistryContext } from "../context.ts";
import type { TokenRecord } from "../storage/types.ts";

const createSchema = z.object({
  password: z.string(),
  /** npm 10 and older: `npm token create --read-only`. */
  readonly: z.boolean().nullish(),
  /** npm 11: `npm token create --packages-and-scopes-permission read-only`. */
  packages_and_scopes_permission: z.string().nullish(),
  scope: z.enum(["read", "publish", "admin"]).nullish(),
  name: z.string().max(100).nullish(),
});

function listed(token: TokenRecord) {
  return {
    key: token.id,
    token: `${token.hash.slice(0, 6)}…`,
    name: token.label,
    scope: token.scope,
    readonly: token.scope === "read",
    automation: false,
    cidr_whitelist: null,
    created: token.createdAt,
    updated: token.revokedAt ?? token.createdAt,
    revoked: token.revokedAt,
  };
}

/**
 * `npm token list/create/revoke`: tokens with a scope (`read`, `publish`, `admin`), stored
 * hashed. Creating one needs the account password; only admins may mint admin tokens.
 */
export function tokenRoutes(app: RegistryApp, ctx: RegistryContext): void {
  app.get("/-/npm/v1/tokens", async (c) => {
    const caller = requireCaller(c, "read", "listing tokens");
    const tokens = (await ctx.metadata.listTokens(caller.user.name)).filter((t) => t.revokedAt === null);
    return c.json({ objects: tokens.map(listed), total: tokens.length, urls: {} });
  });

  app.post("/-/npm/v1/tokens", async (c) => {
    const caller = requireCaller(c, "read", "creating tokens");
    const parsed = createSchema.safeParse(await c.req.json());
    if (!parsed.success)
      throw new BuntimeError("BUNTIME_ERR_BAD_REQUEST", { details: "expected {password, scope?}" });
    const attempt = { address: clientOf(c), account: caller.user.name };
    await ctx.rateLimiter.check(attempt);
    if (!(await Bun.password.verify(parsed.data.password, caller.user.passwordHash))) {
      await ctx.rateLimiter.fail(attempt);
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_BAD_CREDENTIALS");
    }
    const readOnly =
      parsed.data.readonly === true || parsed.data.packages_and_scopes_permission === "read-only";
    const scope = parsed.data.scope ?? (readOnly ? "read" : "publish");
    if (scope === "admin" && !caller.user.admin) {
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_FORBIDDEN", {
        user: caller.user.name,
        action: "create admin tokens",
      });
    }
    const { secret, record } = await mintToken(
      ctx.metadata,
      caller.user.name,
      scope,
      parsed.data.name ?? "token",
    );
    return c.json({ ...listed(record), token: secret }, 201);
  });

  app.delete("/-/npm/v1/tokens/token/:id", async (c) => {
    const caller = requireCaller(c, "read", "revoking tokens");
    const id = c.req.param("id");
    if (!(await ctx.metadata.revokeToken(caller.user.name, id))) {
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_TOKEN_NOT_FOUND", { token: id, user: caller.user.name });
    }
    return new Response(null, { status: 204 });
  });
}
