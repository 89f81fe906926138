import { lstatSync, mkdirSync, readlinkSync, renameSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { LENT_PACKAGES } from "@buntime/sdk";

/**
 * Packages the kernel lends to installed plugins: the plugin contract and the libraries the
 * contract is written in. A plugin lists them as peer dependencies and bundles anything else;
 * the list lives in the sdk so `buntime plugin pack` refuses the same packages the kernel lacks.
 */
export const SHARED_PACKAGES = LENT_PACKAGES;

/** The folder of a package as the kernel itself resolves it. */
function packageDir(name: string): string {
  return dirname(Bun.resolveSync(`${name}/package.json`, import.meta.dir));
}

/**
 * Makes the kernel's own copies of the shared packages resolvable from every plugin installed in
 * the home: `<home>/plugins/node_modules/<name>` links to the kernel's folder of that package, so
 * `import "@buntime/sdk"` in `<home>/plugins/<plugin>/<version>/` finds it the way Node and Bun
 * resolve modules (walking up to the nearest node_modules). Links are replaced atomically and
 * only when they point elsewhere; a real folder put there by the home's owner is left alone.
 */
export function linkSharedPackages(home: string): void {
  const modules = join(home, "plugins", "node_modules");
  for (const name of SHARED_PACKAGES) {
    const link = join(modules, name);
    const target = packageDir(name);
    const existing = lstatSync(link, { throwIfNoEntry: false });
    if (existing && !existing.isSymbolicLink()) continue; // a copy the owner put there: theirs to keep
    if (existing && readlinkSync(link) === target) continue;
    mkdirSync(dirname(link), { recursive: true });
    const temporary = `${link}.${process.pid}.tmp`;
    symlinkSync(target, temporary, "dir");
    renameSync(temporary, link);
  }
}
