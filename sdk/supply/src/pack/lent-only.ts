import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { BuntimeError, bundledDependencies, LENT_PACKAGES, unlentDependencies } from "@buntime/sdk";
import type { PackedPlugin } from "./pack.ts";

/**
 * Refuses a packed plugin whose package.json needs npm packages the kernel does not lend and it
 * does not bundle (`BUNTIME_ERR_PACK_DEPENDENCY_NOT_LENT`, naming each one): installed into a
 * home, nothing would put them where the plugin resolves modules, so it would install and then
 * fail at load. Bundled ones (`bundleDependencies`) are in the tarball's `node_modules/`.
 * `buntime plugin pack` and `publish` call it before writing or sending anything.
 *
 * @example
 * requireLentDependencies(packPlugin("."), ".");
 */
export function requireLentDependencies(packed: PackedPlugin, source: string): void {
  const bundled = new Set(bundledDependencies(packed.packageJson));
  const missing = unlentDependencies(packed.packageJson).filter((name) => !bundled.has(name));
  if (missing.length === 0) return;
  throw new BuntimeError("BUNTIME_ERR_PACK_DEPENDENCY_NOT_LENT", {
    source,
    package: `${packed.name}@${packed.version}`,
    dependencies: missing.join(", "),
    lent: LENT_PACKAGES.join(", "),
  });
}

/**
 * Whether `node_modules/<name>` exists in `folder` or a folder above it: Node's lookup, not
 * Bun.resolveSync, which may auto-install from npm into a global cache at the CLI's run and
 * so say yes where the kernel, started elsewhere, would say no.
 */
function inNodeModules(name: string, folder: string): boolean {
  for (let dir = resolve(folder); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "node_modules", name, "package.json"))) return true;
    if (dirname(dir) === dir) return false; // the root: a path has finitely many parents
  }
}

/**
 * Refuses to install a plugin whose unlent npm dependencies do not resolve from `folder`, where
 * it is staged inside the home (`BUNTIME_ERR_INSTALL_DEPENDENCY_MISSING`, naming each): at load
 * the kernel looks them up in the plugin's own node_modules (where bundled ones were unpacked)
 * and the folders above it the same way. A home inside a checkout, whose node_modules has
 * them, still installs such a plugin.
 */
export function requireResolvableDependencies(
  packageJson: Record<string, unknown>,
  folder: string,
  label: string,
  home: string,
): void {
  const missing = unlentDependencies(packageJson).filter((name) => !inNodeModules(name, folder));
  if (missing.length === 0) return;
  throw new BuntimeError("BUNTIME_ERR_INSTALL_DEPENDENCY_MISSING", {
    package: label,
    dependencies: missing.join(", "),
    home,
  });
}
