/**
 * The import-boundary check: every import in every workspace package must follow the allowed
 * arrows, name a dependency its package.json declares, and (when relative) stay inside the
 * package's own folder.
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { roleOf, SOURCE_ARROWS, TEST_ARROWS } from "./arrows.ts";
import { importsOf } from "./imports.ts";
import { listWorkspacePackages, type WorkspacePackage } from "./workspace.ts";

/** One import that breaks the rules. */
export interface Violation {
  /** The importing file, relative to the repo root. */
  readonly file: string;
  readonly specifier: string;
  readonly reason: string;
}

const SOURCE_FILES = new Bun.Glob("**/*.{ts,tsx,mts,js,mjs}");

/** True for files only tests and benches run: under `test/` or `bench/`, or named `*.test.ts`. */
function isTestFile(path: string): boolean {
  return /(^|\/)(test|bench)\//.test(path) || /\.test\.[mc]?[jt]sx?$/.test(path);
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageNameOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string);
}

function checkImport(
  pkg: WorkspacePackage,
  file: string,
  specifier: string,
  byName: ReadonlyMap<string, WorkspacePackage>,
): string | undefined {
  const testFile = isTestFile(relative(pkg.dir, file));
  if (specifier.startsWith(".")) {
    const target = resolve(dirname(file), specifier);
    return target === pkg.dir || target.startsWith(pkg.dir + sep)
      ? undefined
      : `reaches outside ${relative(dirname(pkg.dir), pkg.dir)} by a relative path; import the package by name`;
  }
  const name = packageNameOf(specifier);
  const target = byName.get(name);
  if (!target || target === pkg) return undefined; // a library, or the package's own name
  const from = roleOf(pkg.name);
  const to = roleOf(name);
  if (!from || !to)
    return `${name} or ${pkg.name} has no role in the allowed arrows (kernel/architecture/src/arrows.ts)`;
  const allowed = testFile ? [...SOURCE_ARROWS[from], ...TEST_ARROWS] : SOURCE_ARROWS[from];
  if (to === "cli" || !allowed.includes(to))
    return `a ${from} package may not import a ${to} package (${name})`;
  const declared = testFile ? pkg.devDependencies : pkg.dependencies;
  if (!declared.has(name)) {
    return `${name} is not declared in ${pkg.name}'s package.json ${testFile ? "(devDependencies)" : "dependencies"}`;
  }
  return undefined;
}

/** Every import in the workspace that breaks the rules; none in a healthy repo. */
export function checkBoundaries(root: string): Violation[] {
  const packages = listWorkspacePackages(root);
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]));
  const nested = (pkg: WorkspacePackage) =>
    packages
      .filter((other) => other !== pkg && other.dir.startsWith(pkg.dir + sep))
      .map((other) => other.dir);
  const violations: Violation[] = [];
  for (const pkg of packages) {
    const inner = nested(pkg);
    for (const path of SOURCE_FILES.scanSync({ cwd: pkg.dir })) {
      if (path.includes("node_modules/") || path.includes("/fixtures/")) continue;
      const file = join(pkg.dir, path);
      if (inner.some((dir) => file.startsWith(dir + sep))) continue; // a nested package checks its own files
      for (const specifier of importsOf(readFileSync(file, "utf8"), file)) {
        const reason = checkImport(pkg, file, specifier, byName);
        if (reason) violations.push({ file: relative(root, file), specifier, reason });
      }
    }
  }
  return violations;
}
