import { BuntimeError } from "@buntime/sdk";
import type { Context } from "hono";
import { requireCaller, requireOwner, requireReader } from "../auth/identify.ts";
import type { RegistryApp, RegistryContext, RegistryEnv } from "../context.ts";
import { NAME_ROUTES, packageNameOf, versionFromFileName } from "../packument/names.ts";
import { upstreamTarball } from "../uplinks/serve.ts";

/** Tarball downloads (counted) and npm's tarball DELETE after an unpublish. */
export function tarballRoutes(app: RegistryApp, ctx: RegistryContext): void {
  const download = async (c: Context<RegistryEnv>) => {
    requireReader(ctx, c, "downloading tarballs");
    const name = packageNameOf(c);
    const file = c.req.param("file") ?? "";
    const version = versionFromFileName(name, file);
    const record = version ? await ctx.metadata.getVersion(name, version) : undefined;
    const blob = record ? await ctx.blobs.get(record.blobKey) : undefined;
    if (!record) {
      const upstream = await upstreamTarball(ctx, name, file);
      if (upstream) {
        return new Response(upstream as Uint8Array<ArrayBuffer>, {
          headers: { "content-type": "application/octet-stream", "content-length": String(upstream.length) },
        });
      }
    }
    if (!record || !blob) {
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_VERSION_NOT_FOUND", {
        package: name,
        version: version ?? file,
      });
    }
    if (c.req.method === "GET") ctx.downloads.record(name, record.version);
    return new Response(blob, {
      headers: {
        "content-type": "application/octet-stream",
        "content-length": String(record.size),
        "cache-control": "public, max-age=31536000, immutable",
        etag: `"${record.shasum}"`,
      },
    });
  };

  // npm deletes the tarball after PUTting the packument without the version; the version's
  // blob is already gone by then, so this only checks that the caller may do it.
  const remove = async (c: Context<RegistryEnv>) => {
    const name = packageNameOf(c);
    const caller = requireCaller(c, "publish", `unpublishing ${name}`);
    const pkg = await ctx.metadata.getPackage(name);
    if (!pkg) throw new BuntimeError("BUNTIME_ERR_REGISTRY_PACKAGE_NOT_FOUND", { package: name });
    requireOwner(caller, pkg.owners, name);
    const version = versionFromFileName(name, c.req.param("file") ?? "");
    const record = version ? await ctx.metadata.getVersion(name, version) : undefined;
    if (record)
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_CHANGE_REFUSED", {
        package: name,
        details: "unpublish the version first",
      });
    return c.json({ ok: true });
  };

  for (const prefix of NAME_ROUTES) {
    app.get(`${prefix}/-/:file`, download);
    app.delete(`${prefix}/-/:file/-rev/:rev`, remove);
  }
}
