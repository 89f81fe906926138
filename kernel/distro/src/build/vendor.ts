import { cpSync, existsSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { BuntimeError } from "@buntime/sdk";

/** A package to vendor: its name, and the folder it is resolved from. */
export interface VendorRoot {
  name: string;
  from: string;
}

/** The real folder of package `name` as Node finds it from `fromDir`, walking up the node_modules folders. */
function findPackage(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

function dependenciesOf(dir: string): { name: string; optional: boolean }[] {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
  const names = (field: string) => Object.keys((pkg[field] ?? {}) as Record<string, string>);
  return [
    ...names("dependencies").map((name) => ({ name, optional: false })),
    ...names("optionalDependencies").map((name) => ({ name, optional: true })),
  ];
}

/**
 * Copies `roots` and their dependencies, transitively, into `modules` (a `node_modules`
 * folder), as this machine resolves them: a package goes to the top level unless another
 * version holds that place, then under its dependent. Links are followed (workspace packages
 * are copied), other packages' own `node_modules` and `.git` are not copied. A dependency
 * this machine cannot find is `BUNTIME_ERR_DISTRO_NOT_FOUND`; an optional one is skipped.
 * Answers the package folders written.
 */
export function vendorPackages(roots: readonly VendorRoot[], modules: string): string[] {
  const atTop = new Map<string, string>();
  const written: string[] = [];
  const queue = roots.map((root) => ({ ...root, optional: false, parent: modules }));
  for (let steps = 0; queue.length > 0 && steps < 100_000; steps++) {
    const { name, from, optional, parent } = queue.shift() as (typeof queue)[number];
    const source = findPackage(name, from);
    if (!source) {
      if (optional) continue;
      throw new BuntimeError("BUNTIME_ERR_DISTRO_NOT_FOUND", {
        what: `package ${name} (needed from ${from})`,
        path: join(from, "node_modules", name),
      });
    }
    const top = atTop.get(name);
    if (top === source) continue;
    const target = top === undefined ? join(modules, name) : join(parent, "node_modules", name);
    if (top === undefined) atTop.set(name, source);
    else if (existsSync(target)) continue;
    cpSync(source, target, {
      recursive: true,
      dereference: true,
      filter: (path) => path === source || !["node_modules", ".git"].includes(basename(path)),
    });
    written.push(target);
    for (const dependency of dependenciesOf(source))
      queue.push({ ...dependency, from: source, parent: target });
  }
  return written;
}
