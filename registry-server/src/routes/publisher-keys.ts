import { BuntimeError } from "@buntime/sdk";
import { requireCaller, requireReader } from "../auth/identify.ts";
import type { RegistryApp, RegistryContext } from "../context.ts";
import { parsePublisherKey } from "../signing/publisher-keys.ts";

/**
 * Publisher (ed25519) keys: `POST /-/buntime/v1/publisher-keys` registers one for the caller,
 * `GET /-/buntime/v1/publishers/:user/keys` lists a publisher's keys for verifiers.
 */
export function publisherKeyRoutes(app: RegistryApp, ctx: RegistryContext): void {
  app.post("/-/buntime/v1/publisher-keys", async (c) => {
    const caller = requireCaller(c, "publish", "registering publisher keys");
    const body = (await c.req.json()) as { publicKey?: unknown } | null;
    const { keyid, publicKey } = parsePublisherKey(body?.publicKey);
    const existing = await ctx.metadata.listPublisherKeys(caller.user.name);
    if (!existing.some((k) => k.keyid === keyid)) {
      await ctx.metadata.addPublisherKey({
        keyid,
        user: caller.user.name,
        publicKey,
        createdAt: new Date().toISOString(),
      });
    }
    return c.json({ keyid, publicKey }, 201);
  });

  app.get("/-/buntime/v1/publishers/:user/keys", async (c) => {
    requireReader(ctx, c, "reading publisher keys");
    const user = c.req.param("user");
    if (!(await ctx.metadata.getUser(user)))
      throw new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: c.req.path });
    const keys = await ctx.metadata.listPublisherKeys(user);
    return c.json({
      keys: keys.map((k) => ({
        keyid: k.keyid,
        keytype: "ed25519",
        key: k.publicKey,
        createdAt: k.createdAt,
      })),
    });
  });
}
