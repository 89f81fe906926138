import { afterEach, describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { checkBoundaries, importsOf } from "@buntime/architecture";

const REPO = resolve(import.meta.dir, "../../..");
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A throwaway workspace: `files` maps paths to contents; package.json values may be objects. */
function workspace(files: Record<string, string | object>): string {
  const root = mkdtempSync(join(tmpdir(), "buntime-arrows-"));
  made.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === "string" ? content : JSON.stringify(content));
  }
  return root;
}

const layout = {
  "package.json": { workspaces: ["sdk/*", "kernel/*", "plugins/*"] },
  "sdk/contract/package.json": { name: "@buntime/sdk" },
  "sdk/contract/src/index.ts": "export const x = 1;\n",
  "kernel/core/package.json": { name: "@buntime/kernel", dependencies: { "@buntime/sdk": "0.1.0" } },
  "kernel/core/src/index.ts": 'import { x } from "@buntime/sdk";\nexport const y = x;\n',
  "kernel/cli/package.json": { name: "@buntime/cli", dependencies: { "@buntime/kernel": "0.1.0" } },
  "kernel/cli/src/index.ts": 'import { y } from "@buntime/kernel";\nexport const z = y;\n',
  "plugins/hello/package.json": {
    name: "@buntime/plugin-hello",
    peerDependencies: { "@buntime/sdk": "0.1.0" },
    devDependencies: { "@buntime/kernel": "0.1.0" },
  },
  "plugins/hello/src/index.ts": 'import type { x } from "@buntime/sdk";\nexport type X = typeof x;\n',
  "plugins/hello/test/hello.test.ts": 'import { y } from "@buntime/kernel";\nvoid y;\n',
};

describe("the import-boundary check", () => {
  it("finds no violation in this repo", () => {
    expect(checkBoundaries(REPO)).toEqual([]);
  });

  it("passes a workspace that follows the arrows", () => {
    expect(checkBoundaries(workspace(layout))).toEqual([]);
  });

  it.each([
    [
      "a plugin importing the kernel from its source",
      { "plugins/hello/src/leak.ts": 'import { y } from "@buntime/kernel";\nvoid y;\n' },
      "a plugin package may not import a kernel package",
    ],
    [
      "a type-only import counts too",
      {
        "plugins/hello/src/leak.ts": 'import type { y } from "@buntime/kernel";\nexport type Y = typeof y;\n',
      },
      "a plugin package may not import a kernel package",
    ],
    [
      "the contract importing upward",
      { "sdk/contract/src/leak.ts": 'export { y } from "@buntime/kernel";\n' },
      "a contract package may not import a kernel package",
    ],
    [
      "the kernel importing the CLI",
      { "kernel/core/src/leak.ts": 'const cli = await import("@buntime/cli");\nvoid cli;\n' },
      "a kernel package may not import a cli package",
    ],
    [
      "a test importing the CLI",
      { "plugins/hello/test/leak.test.ts": 'import { z } from "@buntime/cli";\nvoid z;\n' },
      "a plugin package may not import a cli package",
    ],
    [
      "a relative path out of the package",
      { "kernel/cli/src/leak.ts": 'import { x } from "../../../sdk/contract/src/index.ts";\nvoid x;\n' },
      "reaches outside cli by a relative path",
    ],
    [
      "an allowed arrow the package.json does not declare",
      { "kernel/cli/src/leak.ts": 'import { x } from "@buntime/sdk";\nvoid x;\n' },
      "@buntime/sdk is not declared in @buntime/cli's package.json dependencies",
    ],
  ])("fails on %s", (_, planted, reason) => {
    const violations = checkBoundaries(workspace({ ...layout, ...planted }));
    expect(violations).toHaveLength(1);
    expect(violations[0]?.file).toBe(Object.keys(planted)[0] as string);
    expect(violations[0]?.reason).toContain(reason);
  });

  it("ignores imports that only appear in comments and strings", () => {
    const source = [
      "// import { a } from '@buntime/kernel';",
      '/** @example import { b } from "@buntime/cli"; */',
      'const template = `import { c } from "@buntime/kernel";`;',
      'import { d } from "@buntime/sdk";',
      'import { type e, f } from "./local.ts";',
      "void [template, d, f];",
    ].join("\n");
    expect(importsOf(source)).toEqual(["@buntime/sdk", "./local.ts"]);
  });
});
