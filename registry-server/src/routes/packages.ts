import { BuntimeError } from "@buntime/sdk";
import type { Context } from "hono";
import { requireCaller, requireOwner, requireReader } from "../auth/identify.ts";
import type { RegistryApp, RegistryContext, RegistryEnv } from "../context.ts";
import { baseUrlOf, jsonWithEtag, renderJson, sendRendered } from "../http/etag.ts";
import { abbreviatedPackument, fullPackument, fullVersion } from "../packument/build.ts";
import { createPackumentCache } from "../packument/cache.ts";
import { loadPackage } from "../packument/load.ts";
import { NAME_ROUTES, packageNameOf } from "../packument/names.ts";
import { applyPackageUpdate, removeVersions } from "../publish/package-update.ts";
import { publishVersion } from "../publish/publish-version.ts";
import { proxiedPackument, proxiedVersion } from "../uplinks/render.ts";
import { upstreamPackument } from "../uplinks/serve.ts";

const ABBREVIATED = "application/vnd.npm.install-v1+json";

async function readJson(c: Context, maxBytes: number): Promise<unknown> {
  const length = Number(c.req.header("content-length") ?? 0);
  if (length > maxBytes) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_TARBALL_TOO_LARGE", {
      package: c.req.path,
      what: "request body",
      size: length,
      limit: maxBytes,
    });
  }
  return c.req.json();
}

/** Packuments, publish, metadata updates (deprecate, owners, unpublish) and package removal. */
export function packageRoutes(app: RegistryApp, ctx: RegistryContext): void {
  // base64 grows a tarball by a third; leave room for the JSON around it.
  const maxBody = Math.ceil((ctx.options.limits.maxTarballBytes * 4) / 3) + 1024 * 1024;

  const cache = createPackumentCache();
  const getPackument = async (c: Context<RegistryEnv>) => {
    requireReader(ctx, c, "reading packages");
    const name = packageNameOf(c);
    const pkg = await ctx.metadata.getPackage(name);
    const base = baseUrlOf(c, ctx.options.publicUrl);
    const abbreviated =
      (c.req.header("accept") ?? "").includes(ABBREVIATED) && c.req.query("write") !== "true";
    if (!pkg) {
      const { packument } = await upstreamPackument(ctx, name);
      const body = proxiedPackument(packument, name, base, abbreviated);
      return jsonWithEtag(c, body, abbreviated ? ABBREVIATED : "application/json");
    }
    const key = `${abbreviated ? "a" : "f"} ${base} ${name}`;
    let rendered = cache.get(key, pkg.modifiedAt);
    if (!rendered) {
      const view = await loadPackage(ctx, name);
      rendered = renderJson(abbreviated ? abbreviatedPackument(view, base) : fullPackument(view, base));
      cache.set(key, view.pkg.modifiedAt, rendered);
    }
    return sendRendered(c, rendered, abbreviated ? ABBREVIATED : "application/json");
  };

  const getVersion = async (c: Context<RegistryEnv>) => {
    requireReader(ctx, c, "reading packages");
    const name = packageNameOf(c);
    const wanted = c.req.param("version") ?? "";
    if (!(await ctx.metadata.getPackage(name))) {
      const { packument } = await upstreamPackument(ctx, name);
      const tags = (packument["dist-tags"] ?? {}) as Record<string, string>;
      const versions = (packument.versions ?? {}) as Record<string, Record<string, unknown>>;
      const version = Object.hasOwn(tags, wanted) ? tags[wanted] : wanted;
      const doc = version && Object.hasOwn(versions, version) ? versions[version] : undefined;
      if (!doc)
        throw new BuntimeError("BUNTIME_ERR_REGISTRY_VERSION_NOT_FOUND", { package: name, version: wanted });
      return jsonWithEtag(c, proxiedVersion(doc, name, baseUrlOf(c, ctx.options.publicUrl)));
    }
    const view = await loadPackage(ctx, name);
    const version = view.pkg.distTags[wanted] ?? wanted;
    const record = view.versions.find((v) => v.version === version);
    if (!record)
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_VERSION_NOT_FOUND", { package: name, version: wanted });
    return jsonWithEtag(c, fullVersion(record, view.pkg, baseUrlOf(c, ctx.options.publicUrl)));
  };

  const put = async (c: Context<RegistryEnv>) => {
    const name = packageNameOf(c);
    const caller = requireCaller(c, "publish", `publishing ${name}`);
    const body = (await readJson(c, maxBody)) as Record<string, unknown> | null;
    const attachments = body?._attachments;
    if (attachments && typeof attachments === "object" && Object.keys(attachments).length > 0) {
      const record = await publishVersion(ctx, caller, name, body);
      return c.json({ ok: true, id: name, version: record.version, checks: record.checks }, 201);
    }
    await applyPackageUpdate(ctx, caller, name, body, c.req.param("rev") !== undefined);
    return c.json({ ok: true, id: name });
  };

  const removePackage = async (c: Context<RegistryEnv>) => {
    const name = packageNameOf(c);
    const caller = requireCaller(c, "publish", `unpublishing ${name}`);
    const view = await loadPackage(ctx, name);
    requireOwner(caller, view.pkg.owners, name);
    await removeVersions(ctx, view.versions);
    return c.json({ ok: true, id: name });
  };

  for (const prefix of NAME_ROUTES) {
    app.get(prefix, getPackument);
    app.put(prefix, put);
    app.put(`${prefix}/-rev/:rev`, put);
    app.delete(`${prefix}/-rev/:rev`, removePackage);
    app.get(`${prefix}/:version`, getVersion);
  }
}
