/**
 * npm's `bundleDependencies`: a plugin's tarball carries the packages it bundles (and what they
 * depend on) under `node_modules/`, laid out so each resolves the versions it was packed with,
 * never following a symbolic link; what is not bundled and not lent is still refused, and a
 * tarball whose bundled folder escapes is refused on unpacking.
 */
import { afterEach, describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { BuntimeError } from "@buntime/sdk";
import { extractTarball, packPlugin, requireLentDependencies } from "@buntime/supply";
import { file, tgz } from "./helpers/tar-inputs.ts";

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` (path → text, objects as JSON) under a fresh folder and returns it. */
function tree(files: Record<string, string | object>): string {
  const dir = mkdtempSync(join(tmpdir(), "sdk-bundle-"));
  temporary.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === "string" ? content : JSON.stringify(content));
  }
  return dir;
}

const plugin = (extra: Record<string, unknown>) => ({
  name: "needy",
  version: "1.0.0",
  main: "index.ts",
  buntime: { kernel: "^0.1.0", base: "/needy" },
  ...extra,
});

function failure(run: () => unknown): BuntimeError {
  try {
    run();
  } catch (error) {
    return error as BuntimeError;
  }
  throw new Error("it did not throw");
}

describe("packPlugin with bundleDependencies", () => {
  it("packs each bundled package and what it depends on under node_modules/, a clashing version nested", () => {
    const root = tree({
      // the plugin sits in a workspace: its dependencies are hoisted to the folder above, as npm does
      "plugin/package.json": plugin({
        dependencies: { alpha: "1", hono: "4" },
        bundleDependencies: ["alpha"],
      }),
      "plugin/index.ts": "export default {}",
      "node_modules/alpha/package.json": {
        name: "alpha",
        version: "1.0.0",
        dependencies: { beta: "1", gamma: "2" },
      },
      "node_modules/alpha/index.js": "module.exports = 'alpha'",
      "node_modules/alpha/node_modules/gamma/package.json": { name: "gamma", version: "2.0.0" },
      "node_modules/alpha/node_modules/gamma/index.js": "module.exports = 2",
      "node_modules/beta/package.json": {
        name: "beta",
        version: "1.0.0",
        dependencies: { gamma: "1" },
        optionalDependencies: { absent: "1" },
      },
      "node_modules/beta/index.js": "module.exports = 'beta'",
      "node_modules/gamma/package.json": { name: "gamma", version: "1.0.0" },
      "node_modules/gamma/index.js": "module.exports = 1",
      "node_modules/hono/package.json": { name: "hono", version: "4.0.0" },
    });
    const packed = packPlugin(join(root, "plugin"));
    expect(packed.files).toEqual(
      [
        "index.ts",
        "node_modules/alpha/index.js",
        "node_modules/alpha/package.json",
        "node_modules/beta/index.js",
        "node_modules/beta/package.json",
        // breadth first, alpha's gamma@2 takes the top slot, so beta's gamma@1 nests under beta
        "node_modules/beta/node_modules/gamma/index.js",
        "node_modules/beta/node_modules/gamma/package.json",
        "node_modules/gamma/index.js",
        "node_modules/gamma/package.json",
        "package.json",
      ].sort(),
    );
    // unpacked, each package resolves the gamma it was installed with
    const home = join(root, "home");
    extractTarball(packed.tarball, home);
    const resolveFrom = (from: string) =>
      JSON.parse(
        readFileSync(Bun.resolveSync("gamma/package.json", join(home, "node_modules", from)), "utf8"),
      ).version;
    expect(resolveFrom("alpha")).toBe("2.0.0");
    expect(resolveFrom("beta")).toBe("1.0.0");
    expect(() => requireLentDependencies(packed, root)).not.toThrow();
  });

  it("never packs a symbolic link found in a bundled package", () => {
    const root = tree({
      "plugin/package.json": plugin({ dependencies: { alpha: "1" }, bundleDependencies: ["alpha"] }),
      "plugin/index.ts": "export default {}",
      "plugin/node_modules/alpha/package.json": { name: "alpha", version: "1.0.0" },
      "plugin/node_modules/alpha/index.js": "module.exports = 1",
      "secret/key.pem": "PRIVATE",
    });
    symlinkSync(join(root, "secret"), join(root, "plugin/node_modules/alpha/outside"));
    symlinkSync(join(root, "secret/key.pem"), join(root, "plugin/node_modules/alpha/key.pem"));
    const packed = packPlugin(join(root, "plugin"));
    expect(packed.files).toEqual([
      "index.ts",
      "node_modules/alpha/index.js",
      "node_modules/alpha/package.json",
      "package.json",
    ]);
  });

  it("refuses a bundled package that is not installed, naming it", () => {
    const root = tree({
      "plugin/package.json": plugin({ dependencies: { jose: "6" }, bundleDependencies: ["jose"] }),
      "plugin/index.ts": "export default {}",
    });
    const error = failure(() => packPlugin(join(root, "plugin")));
    expect(error.code).toBe("BUNTIME_ERR_PACK_FAILED");
    expect(error.message).toContain("it bundles jose, which is not installed in a node_modules folder");
  });

  it("refuses a bundled name that is not an npm package name, or the kernel's own contract", () => {
    for (const name of ["../../etc", "@buntime/sdk"]) {
      const root = tree({
        "plugin/package.json": plugin({ bundleDependencies: [name] }),
        "plugin/index.ts": "export default {}",
      });
      const error = failure(() => packPlugin(join(root, "plugin")));
      expect(error.code).toBe("BUNTIME_ERR_PACK_FAILED");
      expect(error.message).toContain(`bundleDependencies names ${JSON.stringify(name)}`);
    }
  });

  it("refuses a bundled package whose own dependencies name a path, not a package", () => {
    const root = tree({
      "plugin/package.json": plugin({ dependencies: { alpha: "1" }, bundleDependencies: ["alpha"] }),
      "plugin/index.ts": "export default {}",
      "plugin/node_modules/alpha/package.json": {
        name: "alpha",
        version: "1.0.0",
        dependencies: { "../../../secret": "1" },
      },
      "secret/package.json": { name: "secret", version: "1.0.0" },
    });
    const error = failure(() => packPlugin(join(root, "plugin")));
    expect(error.code).toBe("BUNTIME_ERR_PACK_FAILED");
    expect(error.message).toContain('node_modules/alpha names "../../../secret" in dependencies');
  });

  it("still refuses the dependencies that are neither lent nor bundled, naming only those", () => {
    const root = tree({
      "plugin/package.json": plugin({
        dependencies: { alpha: "1", "left-pad": "1", zod: "4" },
        bundleDependencies: ["alpha"],
      }),
      "plugin/index.ts": "export default {}",
      "plugin/node_modules/alpha/package.json": { name: "alpha", version: "1.0.0" },
    });
    const packed = packPlugin(join(root, "plugin"));
    const error = failure(() => requireLentDependencies(packed, root));
    expect(error.code).toBe("BUNTIME_ERR_PACK_DEPENDENCY_NOT_LENT");
    expect(error.message).toContain("needy@1.0.0 depends on left-pad, which the kernel does not lend");
  });
});

describe("unpacking a bundled folder", () => {
  it("refuses one that climbs out with '..' or holds a symbolic link, writing nothing", () => {
    const root = tree({});
    const cases = [
      [file("package/package.json", "{}"), file("package/node_modules/jose/../../../escape.js")],
      [
        file("package/package.json", "{}"),
        { ...file("package/node_modules/jose"), type: "symlink" as const, linkTarget: "/etc" },
      ],
      [
        file("package/package.json", "{}"),
        {
          ...file("package/node_modules/jose/index.js"),
          type: "symlink" as const,
          linkTarget: "../../../../x",
        },
      ],
    ];
    for (const [index, entries] of cases.entries()) {
      const dest = join(root, `home-${index}`);
      const error = failure(() => extractTarball(tgz(entries), dest));
      expect(error.code).toBe("BUNTIME_ERR_TARBALL_UNSAFE_ENTRY");
      expect(error.message).toContain("package/node_modules/jose");
      expect(() => readFileSync(join(dest, "package.json"))).toThrow();
    }
  });
});
