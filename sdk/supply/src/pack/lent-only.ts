import { BuntimeError, LENT_PACKAGES, unlentDependencies } from "@buntime/sdk";
import type { PackedPlugin } from "./pack.ts";

/**
 * Refuses a packed plugin whose package.json needs npm packages the kernel does not lend
 * (`BUNTIME_ERR_PACK_DEPENDENCY_NOT_LENT`, naming each one): installed into a home, nothing
 * would put them where the plugin resolves modules, so it would install and then fail at load.
 * `buntime plugin pack` and `publish` call it before writing or sending anything.
 *
 * @example
 * requireLentDependencies(packPlugin("."), ".");
 */
export function requireLentDependencies(packed: PackedPlugin, source: string): void {
  const missing = unlentDependencies(packed.packageJson);
  if (missing.length === 0) return;
  throw new BuntimeError("BUNTIME_ERR_PACK_DEPENDENCY_NOT_LENT", {
    source,
    package: `${packed.name}@${packed.version}`,
    dependencies: missing.join(", "),
    lent: LENT_PACKAGES.join(", "),
  });
}
