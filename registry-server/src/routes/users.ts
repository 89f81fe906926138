import { BuntimeError } from "@buntime/sdk";
import { z } from "zod";
import { clientOf, requireCaller } from "../auth/identify.ts";
import { mintToken } from "../auth/tokens.ts";
import type { RegistryApp, RegistryContext } from "../context.ts";

const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const couchUserSchema = z.object({
  name: z.string(),
  password: z.string().min(8, { error: "password: at least 8 characters" }).max(1024),
  email: z.string().max(320).optional(),
});

function userNameOf(id: string): string {
  const name = id.startsWith("org.couchdb.user:") ? id.slice("org.couchdb.user:".length) : id;
  if (!USER_NAME.test(name)) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_USER_INVALID", {
      details: "a user name is 1-64 lowercase letters, digits, '.', '_' or '-'",
    });
  }
  return name;
}

/**
 * `npm adduser` / `npm login` (the CouchDB-style PUT: creates the user or checks its password,
 * and answers with a new publish token), `npm whoami` and `npm logout`.
 */
export function userRoutes(app: RegistryApp, ctx: RegistryContext): void {
  // npm tries web login first and falls back to username/password on a 4xx.
  app.post("/-/v1/login", () =>
    new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: "/-/v1/login" }).getResponse(),
  );

  app.put("/-/user/:id", async (c) => {
    const name = userNameOf(c.req.param("id"));
    const parsed = couchUserSchema.safeParse(await c.req.json());
    if (!parsed.success) {
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_USER_INVALID", {
        details: parsed.error.issues.map((issue) => issue.message).join("; "),
      });
    }
    if (parsed.data.name !== name) {
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_USER_INVALID", {
        details: "body and URL name different users",
      });
    }
    // Checked before any password hashing, so a limited address or account costs no CPU.
    const attempt = { address: clientOf(c), account: name };
    await ctx.rateLimiter.check(attempt);
    let user = await ctx.metadata.getUser(name);
    let created = false;
    if (!user) {
      if (!ctx.options.allowRegistration)
        throw new BuntimeError("BUNTIME_ERR_REGISTRY_REGISTRATION_CLOSED", { user: name });
      const candidate = {
        name,
        passwordHash: await Bun.password.hash(parsed.data.password),
        email: parsed.data.email ?? null,
        admin: (await ctx.metadata.countUsers()) === 0,
        createdAt: new Date().toISOString(),
      };
      created = await ctx.metadata.createUser(candidate);
      user = await ctx.metadata.getUser(name);
    }
    if (!user || (!created && !(await Bun.password.verify(parsed.data.password, user.passwordHash)))) {
      await ctx.rateLimiter.fail(attempt);
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_BAD_CREDENTIALS");
    }
    const { secret } = await mintToken(ctx.metadata, name, "publish", "npm login");
    return c.json({ ok: true, id: `org.couchdb.user:${name}`, token: secret }, 201);
  });

  app.get("/-/user/:id", async (c) => {
    const name = userNameOf(c.req.param("id"));
    const user = await ctx.metadata.getUser(name);
    if (!user) throw new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: c.req.path });
    return c.json({ _id: `org.couchdb.user:${name}`, name, email: user.email, type: "user", roles: [] });
  });

  app.get("/-/whoami", (c) => {
    const caller = requireCaller(c, "read", "whoami");
    return c.json({ username: caller.user.name });
  });

  app.delete("/-/user/token/:token", async (c) => {
    const caller = requireCaller(c, "read", "logging out");
    await ctx.metadata.revokeToken(caller.user.name, caller.token.id);
    return c.json({ ok: true });
  });
}
