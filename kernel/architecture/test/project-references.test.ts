import { afterEach, describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { checkPackageFiles, checkProjectReferences, type WorkspacePackage } from "@buntime/architecture";

const REPO = resolve(import.meta.dir, "../../..");
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Packages `a` (depends on `b`) and `b`, and `c` nobody declares, each with a tsconfig.json. */
function packages(references: Record<string, string[]>): WorkspacePackage[] {
  const root = mkdtempSync(join(tmpdir(), "buntime-refs-"));
  made.push(root);
  const declared: Record<string, string[]> = { a: ["@x/b"], b: [], c: [] };
  return ["a", "b", "c"].map((name) => {
    const dir = join(root, name);
    mkdirSync(dir);
    const config = { references: (references[name] ?? []).map((path) => ({ path })) };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config));
    const deps = new Set(declared[name]);
    return { name: `@x/${name}`, dir, dependencies: deps, devDependencies: deps };
  });
}

describe("the project-references check", () => {
  it("finds every package's references matching its declarations, and no undeclared file compiled, in this repo", async () => {
    expect(await checkProjectReferences(REPO)).toEqual([]);
  }, 60_000);

  it("passes a package whose compiled files are its own and its declared dependency's", () => {
    const [a, b, c] = packages({ a: ["../b"] }) as [WorkspacePackage, WorkspacePackage, WorkspacePackage];
    const files = [join(a.dir, "src/index.ts"), join(b.dir, "src/index.ts")];
    expect(checkPackageFiles(a, [a, b, c], files)).toEqual([]);
  });

  it("fails when the compiler reaches a file of an undeclared package", () => {
    const [a, b, c] = packages({ a: ["../b"] }) as [WorkspacePackage, WorkspacePackage, WorkspacePackage];
    const files = [join(a.dir, "src/index.ts"), join(c.dir, "src/secret.ts")];
    expect(checkPackageFiles(a, [a, b, c], files)).toEqual([
      { package: "@x/a", reason: `compiles ${join(c.dir, "src/secret.ts")} of undeclared @x/c` },
    ]);
  });

  it("fails when references and declarations disagree, either way", () => {
    const [a, b, c] = packages({ a: ["../c"] }) as [WorkspacePackage, WorkspacePackage, WorkspacePackage];
    expect(checkPackageFiles(a, [a, b, c], []).map((violation) => violation.reason)).toEqual([
      "declares @x/b but does not reference it",
      `references ${c.dir} without declaring it`,
    ]);
  });
});
