/** The repo's workspace packages, as npm sees them: folders, names and declared dependencies. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One workspace package. */
export interface WorkspacePackage {
  readonly name: string;
  /** Absolute path of its folder. */
  readonly dir: string;
  /** What its source may import: dependencies, peer and optional dependencies. */
  readonly dependencies: ReadonlySet<string>;
  /** What its tests and benches may import besides: devDependencies too. */
  readonly devDependencies: ReadonlySet<string>;
}

interface PackageJson {
  name?: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
}

/** Every package the root `package.json` lists in `workspaces`, in folder order. */
export function listWorkspacePackages(root: string): WorkspacePackage[] {
  const patterns = readPackageJson(root).workspaces ?? [];
  const dirs = new Set<string>();
  for (const pattern of patterns) {
    const glob = new Bun.Glob(`${pattern}/package.json`);
    for (const match of glob.scanSync({ cwd: root, onlyFiles: true })) {
      if (!match.includes("node_modules")) dirs.add(join(root, match, ".."));
    }
  }
  return [...dirs]
    .filter((dir) => existsSync(join(dir, "package.json")))
    .sort()
    .map((dir) => {
      const pkg = readPackageJson(dir);
      const runtime = [pkg.dependencies, pkg.peerDependencies, pkg.optionalDependencies].flatMap((deps) =>
        Object.keys(deps ?? {}),
      );
      return {
        name: pkg.name ?? dir,
        dir,
        dependencies: new Set(runtime),
        devDependencies: new Set([...runtime, ...Object.keys(pkg.devDependencies ?? {})]),
      };
    });
}
