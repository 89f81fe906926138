import { BuntimeError } from "@buntime/sdk";
import { RESERVED_SCOPES, scopeOf } from "../auth/scopes.ts";
import type { RegistryContext } from "../context.ts";
import type { CachedPackument } from "./cache.ts";

/**
 * True when `name` is this registry's own: a package published here (even with every version
 * unpublished since), any name in a scope that holds a package published here, or a reserved
 * scope. Such a name is never looked up upstream, so nobody can slip a look-alike in through an
 * uplink (dependency confusion).
 */
export async function heldLocally(ctx: RegistryContext, name: string): Promise<boolean> {
  if (await ctx.metadata.getPackage(name)) return true;
  const scope = scopeOf(name);
  if (scope === undefined) return false;
  if (RESERVED_SCOPES.has(scope)) return true;
  return (await ctx.metadata.listPackages()).some((pkg) => pkg.name.startsWith(`${scope}/`));
}

/** The upstream packument of a name this registry does not hold; 404 when there is none. */
export async function upstreamPackument(ctx: RegistryContext, name: string): Promise<CachedPackument> {
  const entry =
    ctx.uplinks && !(await heldLocally(ctx, name)) ? await ctx.uplinks.packument(name) : undefined;
  if (!entry) throw new BuntimeError("BUNTIME_ERR_REGISTRY_PACKAGE_NOT_FOUND", { package: name });
  return entry;
}

/** An upstream tarball of a name this registry does not hold, checked; undefined when there is none. */
export async function upstreamTarball(
  ctx: RegistryContext,
  name: string,
  file: string,
): Promise<Uint8Array | undefined> {
  if (!ctx.uplinks || (await heldLocally(ctx, name))) return undefined;
  return ctx.uplinks.tarball(name, file);
}
