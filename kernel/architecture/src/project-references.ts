/**
 * The project-references check. Each package has a `tsconfig.json` whose `references` name
 * exactly the workspace packages its package.json declares, and the compiler, resolving that
 * package's imports (types included), reaches no file of an undeclared package. The second
 * half is asked of the compiler itself (`tsc --listFilesOnly`) because `tsc -b` in TypeScript 7
 * does not yet refuse files of unreferenced projects.
 */
import { readFileSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { listWorkspacePackages, type WorkspacePackage } from "./workspace.ts";

/** A package whose tsconfig or compiled files break the rule. */
export interface ReferenceViolation {
  readonly package: string;
  readonly reason: string;
}

/** The folders a package's tsconfig.json references, absolute. */
function referencedDirs(pkg: WorkspacePackage): string[] {
  const config = JSON.parse(readFileSync(join(pkg.dir, "tsconfig.json"), "utf8")) as {
    references?: { path: string }[];
  };
  return (config.references ?? []).map((reference) => resolve(pkg.dir, reference.path));
}

/** The package that owns `file`: the one with the longest folder containing it. */
function ownerOf(file: string, packages: readonly WorkspacePackage[]): WorkspacePackage | undefined {
  let owner: WorkspacePackage | undefined;
  for (const pkg of packages) {
    if (file.startsWith(pkg.dir + sep) && (!owner || pkg.dir.length > owner.dir.length)) owner = pkg;
  }
  return owner;
}

/** Every file the compiler reads for the project in `dir` (its own, its dependencies', libraries'). */
async function compiledFiles(root: string, dir: string): Promise<string[]> {
  const tsc = Bun.spawn([join(root, "node_modules", ".bin", "tsc"), "-p", dir, "--listFilesOnly"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, code] = await Promise.all([new Response(tsc.stdout).text(), tsc.exited]);
  if (code !== 0) throw new Error(`tsc -p ${dir} --listFilesOnly failed: ${out}`);
  return out.split("\n").filter((line) => line.length > 0 && !line.includes(`${sep}node_modules${sep}`));
}

/** Checks one package: references match the declared packages, and compiled files stay inside them. */
export function checkPackageFiles(
  pkg: WorkspacePackage,
  packages: readonly WorkspacePackage[],
  files: readonly string[],
): ReferenceViolation[] {
  const declared = packages.filter((other) => pkg.devDependencies.has(other.name));
  const referenced = new Set(referencedDirs(pkg));
  const violations: ReferenceViolation[] = [];
  for (const dependency of declared) {
    if (!referenced.has(dependency.dir))
      violations.push({ package: pkg.name, reason: `declares ${dependency.name} but does not reference it` });
  }
  for (const dir of referenced) {
    if (!declared.some((dependency) => dependency.dir === dir))
      violations.push({ package: pkg.name, reason: `references ${dir} without declaring it` });
  }
  const seen = new Set<string>();
  for (const file of files) {
    const owner = ownerOf(file, packages);
    if (!owner || owner === pkg || declared.includes(owner) || seen.has(owner.name)) continue;
    seen.add(owner.name);
    violations.push({ package: pkg.name, reason: `compiles ${file} of undeclared ${owner.name}` });
  }
  return violations;
}

/** Every violation in the workspace at `root`, asking the compiler for each package's files. */
export async function checkProjectReferences(root: string): Promise<ReferenceViolation[]> {
  const packages = listWorkspacePackages(root);
  const results = await Promise.all(
    packages.map(async (pkg) => checkPackageFiles(pkg, packages, await compiledFiles(root, pkg.dir))),
  );
  return results
    .flat()
    .map((violation) => ({ ...violation, reason: violation.reason.replace(`${root}${sep}`, "") }));
}
