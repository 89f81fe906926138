import { BuntimeError } from "@buntime/sdk";
import { requireCaller, requireOwner, requireReader } from "../auth/identify.ts";
import type { RegistryApp, RegistryContext } from "../context.ts";
import { loadPackage } from "../packument/load.ts";
import { packageNameOf } from "../packument/names.ts";
import { assertTagName } from "../publish/tags.ts";

/** `npm dist-tag ls/add/rm`: `/-/package/:name/dist-tags[/:tag]`. */
export function distTagRoutes(app: RegistryApp, ctx: RegistryContext): void {
  app.get("/-/package/:name/dist-tags", async (c) => {
    requireReader(ctx, c, "reading dist-tags");
    const { pkg } = await loadPackage(ctx, packageNameOf(c));
    return c.json(pkg.distTags);
  });

  app.put("/-/package/:name/dist-tags/:tag", async (c) => {
    const name = packageNameOf(c);
    const tag = c.req.param("tag");
    const caller = requireCaller(c, "publish", `tagging ${name}`);
    assertTagName(tag);
    const version = await c.req.json();
    const { pkg, versions } = await loadPackage(ctx, name);
    requireOwner(caller, pkg.owners, name);
    if (typeof version !== "string" || !versions.some((v) => v.version === version)) {
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_VERSION_NOT_FOUND", {
        package: name,
        version: String(version),
      });
    }
    await ctx.metadata.setDistTag(name, tag, version);
    return c.json({ ok: true, [tag]: version }, 201);
  });

  app.delete("/-/package/:name/dist-tags/:tag", async (c) => {
    const name = packageNameOf(c);
    const tag = c.req.param("tag");
    const caller = requireCaller(c, "publish", `untagging ${name}`);
    const { pkg } = await loadPackage(ctx, name);
    requireOwner(caller, pkg.owners, name);
    if (tag === "latest") {
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_TAG_INVALID", {
        tag,
        details: "latest cannot be removed",
      });
    }
    if (!(tag in pkg.distTags)) {
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_TAG_INVALID", { tag, details: `${name} has no such tag` });
    }
    await ctx.metadata.removeDistTag(name, tag);
    return c.json({ ok: true });
  });
}
