import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { BuntimeError, bundledDependencies, packageNameSchema } from "@buntime/sdk";
import { selectFiles } from "./select-files.ts";

/** A file a bundled dependency adds to the tarball. */
export interface BundledFile {
  /** Where it goes, relative to the package root: `node_modules/jose/dist/index.js`. */
  path: string;
  /** The file on disk it is read from. */
  source: string;
}

/** Never packed with a plugin: the kernel's own copy must be the one a plugin sees (one set of error classes). */
const NEVER_BUNDLED = new Set(["@buntime/sdk"]);

/** Most packages one plugin may bundle, dependencies of dependencies included: the walk below ends. */
const MAX_BUNDLED_PACKAGES = 2_000;

/** The real folder of package `name` as Node finds it from `folder` (its node_modules, then its parents'), if any. */
export function findPackageFolder(name: string, folder: string): string | undefined {
  for (let dir = resolve(folder); ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined; // the root: a path has finitely many parents
  }
}

function readManifest(folder: string, source: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_PACK_FAILED",
      { source, details: `the bundled package in ${folder} has no readable package.json` },
      { cause: error },
    );
  }
}

/** The names of a package's run-time dependencies, each checked to be an npm name (no `..`, no `/` beyond a scope). */
function dependencyNames(
  pkg: Record<string, unknown>,
  field: string,
  source: string,
  owner: string,
): string[] {
  const value = pkg[field];
  const names = value && typeof value === "object" ? Object.keys(value) : [];
  for (const name of names) {
    if (!packageNameSchema.safeParse(name).success) {
      throw new BuntimeError("BUNTIME_ERR_PACK_FAILED", {
        source,
        details: `${owner} names ${JSON.stringify(name)} in ${field}, which is not an npm package name`,
      });
    }
  }
  return names.filter((name) => !NEVER_BUNDLED.has(name));
}

/**
 * The files npm's `bundleDependencies` adds to a plugin's tarball: each bundled package and,
 * as npm does, the packages it depends on (optional ones when installed), read from the
 * node_modules folders Node would find them in from `root` and laid out under `node_modules/`
 * so that each resolves the same versions from inside the unpacked plugin (hoisted, or nested
 * under its dependent when another version took the top slot). Each package's files are the
 * ones npm would pack from it; symbolic links are never followed into the tarball. A bundled
 * package that is not installed, or a name that is not an npm package name, is
 * `BUNTIME_ERR_PACK_FAILED` naming it.
 */
export function bundledFiles(root: string, packageJson: Record<string, unknown>): BundledFile[] {
  const names = bundledDependencies(packageJson);
  if (names.length === 0) return [];
  for (const name of names) {
    if (!packageNameSchema.safeParse(name).success || NEVER_BUNDLED.has(name)) {
      throw new BuntimeError("BUNTIME_ERR_PACK_FAILED", {
        source: root,
        details: `bundleDependencies names ${JSON.stringify(name)}, which ${NEVER_BUNDLED.has(name) ? "the kernel lends and a plugin may not bundle" : "is not an npm package name"}`,
      });
    }
  }
  /** Tarball folder (relative to the package root) → the real folder packed there. */
  const slots = new Map<string, string>();
  const queue = names.map((name) => ({ name, from: root, parent: "", required: true }));
  while (queue.length > 0) {
    const { name, from, parent, required } = queue.shift() as (typeof queue)[number];
    const real = findPackageFolder(name, from);
    if (!real) {
      if (!required) continue;
      throw new BuntimeError("BUNTIME_ERR_PACK_FAILED", {
        source: root,
        details: `it bundles ${name}${parent ? ` (needed by ${parent})` : ""}, which is not installed in a node_modules folder at or above ${from}: run npm install first`,
      });
    }
    const top = `node_modules/${name}`;
    const at = slots.has(top) && slots.get(top) !== real ? `${parent}/node_modules/${name}` : top;
    if (slots.has(at)) continue; // placed already (the same folder: Node resolves one name to one folder)
    if (slots.size >= MAX_BUNDLED_PACKAGES) {
      throw new BuntimeError("BUNTIME_ERR_PACK_FAILED", {
        source: root,
        details: `its bundled dependencies come to more than ${MAX_BUNDLED_PACKAGES} packages`,
      });
    }
    slots.set(at, real);
    const pkg = readManifest(real, root);
    for (const dep of dependencyNames(pkg, "dependencies", root, at))
      queue.push({ name: dep, from: real, parent: at, required: true });
    for (const dep of dependencyNames(pkg, "optionalDependencies", root, at))
      queue.push({ name: dep, from: real, parent: at, required: false });
  }
  return [...slots].flatMap(([at, real]) =>
    selectFiles(real, readManifest(real, root)).map((path) => ({
      path: `${at}/${path}`,
      source: join(real, path),
    })),
  );
}
