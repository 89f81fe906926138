import { BuntimeError } from "@buntime/sdk";
import type { RegistryContext } from "../context.ts";
import type { PackageView } from "./build.ts";

/** A package with its live versions; 404 when it has none. */
export async function loadPackage(ctx: RegistryContext, name: string): Promise<PackageView> {
  const pkg = await ctx.metadata.getPackage(name);
  const versions = pkg ? await ctx.metadata.listVersions(name) : [];
  if (!pkg || versions.length === 0)
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_PACKAGE_NOT_FOUND", { package: name });
  return { pkg, versions };
}
