/**
 * Packages the kernel lends to installed plugins: the plugin contract and the libraries the
 * contract is written in. An installed plugin resolves only these from outside its own folder
 * (the kernel links its copies into the home), so a plugin's package may depend on these and
 * must bundle anything else (`bundleDependencies`, or into its code).
 */
export const LENT_PACKAGES = ["@buntime/sdk", "hono", "zod", "semver", "lru-cache"] as const;

/**
 * The packages a plugin's package.json needs at run time that the kernel does not lend:
 * `dependencies`, `optionalDependencies` and `peerDependencies` (peers marked optional in
 * `peerDependenciesMeta` excepted), sorted. Unless it bundles them (see `bundledDependencies`),
 * such a plugin would fail at load once installed.
 *
 * @example
 * unlentDependencies({ dependencies: { hono: "4", jose: "6" } }); // ["jose"]
 */
export function unlentDependencies(packageJson: Record<string, unknown>): string[] {
  const names = (field: string) => {
    const value = packageJson[field];
    return value && typeof value === "object" ? Object.keys(value) : [];
  };
  const meta = (packageJson.peerDependenciesMeta ?? {}) as Record<string, { optional?: boolean } | undefined>;
  const needed = [
    ...names("dependencies"),
    ...names("optionalDependencies"),
    ...names("peerDependencies").filter((name) => meta[name]?.optional !== true),
  ];
  const lent = new Set<string>(LENT_PACKAGES);
  return [...new Set(needed.filter((name) => !lent.has(name)))].sort();
}

/**
 * The packages a plugin's package.json bundles (npm's `bundleDependencies`, or its alias
 * `bundledDependencies`): packed into the tarball under `node_modules/` and unpacked into the
 * plugin's own folder, so they resolve at load without the kernel lending them. `true` bundles
 * every `dependencies` entry, as npm does. Sorted, once; anything else is ignored.
 *
 * @example
 * bundledDependencies({ dependencies: { jose: "6" }, bundleDependencies: ["jose"] }); // ["jose"]
 */
export function bundledDependencies(packageJson: Record<string, unknown>): string[] {
  const field = packageJson.bundleDependencies ?? packageJson.bundledDependencies;
  const dependencies = packageJson.dependencies;
  const names =
    field === true && dependencies && typeof dependencies === "object"
      ? Object.keys(dependencies)
      : Array.isArray(field)
        ? field.filter((name): name is string => typeof name === "string")
        : [];
  return [...new Set(names)].sort();
}
