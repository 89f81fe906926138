import { BuntimeError } from "@buntime/sdk";
import type { Caller, RegistryContext } from "../context.ts";

/** Scopes no user can claim: only the registry's admins (and the operator's seeding) publish there. */
export const RESERVED_SCOPES = new Set(["@buntime"]);

/** The `@scope` of a package name, or undefined for an unscoped name. */
export function scopeOf(name: string): string | undefined {
  return /^(@[^/]+)\//.exec(name)?.[1];
}

/**
 * Checks that `caller` may create the package `name` in its scope, claiming the scope for the
 * caller when nobody owns it yet. The first publisher of a scope owns it (the claim is stored
 * once, first write wins, so two first publishes cannot both win); a scope that already holds
 * packages from before claims existed belongs to the first owner of its oldest package. `@buntime`
 * is reserved to the registry's admins. Unscoped names are not checked here (package ownership
 * still applies). Throws `BUNTIME_ERR_REGISTRY_SCOPE_OWNED` naming the scope and its owner.
 */
export async function claimScope(ctx: RegistryContext, caller: Caller, name: string): Promise<void> {
  const scope = scopeOf(name);
  if (scope === undefined || caller.operator) return;
  const refuse = (owner: string): never => {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_SCOPE_OWNED", {
      user: caller.user.name,
      package: name,
      scope,
      owner,
    });
  };
  if (RESERVED_SCOPES.has(scope)) {
    if (caller.user.admin) return;
    refuse("the registry's admins");
  }
  const earlier = (await ctx.metadata.listPackages())
    .filter((pkg) => pkg.name.startsWith(`${scope}/`) && pkg.owners.length > 0)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const owner = await ctx.metadata.settingOrInit(
    `scope-owner:${scope}`,
    earlier[0]?.owners[0] ?? caller.user.name,
  );
  if (owner !== caller.user.name) refuse(owner);
}
