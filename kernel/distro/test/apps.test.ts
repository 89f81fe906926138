import { describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { appSource, exportedApps, parseManifest, readLock, registryApps } from "@buntime/distro";
import { isBuntimeError } from "@buntime/sdk";
import { tempDir } from "@buntime/test-kit/fixtures";

const minimal = { name: "edge", version: "1.0.0" };
const integrity = `sha512-${"A".repeat(86)}==`;

/** The error code `run` throws, or undefined. */
function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isBuntimeError(error) ? error.code : String(error);
  }
  return undefined;
}

/** Writes a lock with `apps` and reads it back. */
function lockWith(apps: unknown) {
  const path = join(tempDir(), "distro.lock.json");
  const lock = {
    lockfileVersion: 1,
    ...minimal,
    manifest: "sha256-x",
    kernel: "0.1.0",
    registry: "http://127.0.0.1:4873/",
    registryKeys: [],
    publisherKeys: {},
    plugins: {},
    apps,
  };
  writeFileSync(path, JSON.stringify(lock));
  return () => readLock(path);
}

describe("apps in a distribution", () => {
  it("reads the three forms of an app: a range, a range of another package, a folder", () => {
    const manifest = parseManifest(
      {
        ...minimal,
        apps: { shop: "^1", portal: { range: "^2", package: "@acme/portal" }, notes: { path: "./notes" } },
      },
      "m.json",
    );
    expect(appSource("shop", manifest.apps.shop as string)).toEqual({ package: "shop", range: "^1" });
    expect(registryApps(manifest)).toEqual([
      ["portal", { package: "@acme/portal", range: "^2" }],
      ["shop", { package: "shop", range: "^1" }],
    ]);
  });

  it.each([
    ["a name that is a path", { "../evil": "^1" }],
    ["a name with a slash", { "a/b": "^1" }],
    ["a bad range", { shop: "one" }],
    ["a package that is no package name", { shop: { range: "^1", package: "Not A Name" } }],
    ["a folder and a range at once", { shop: { range: "^1", path: "./x" } }],
  ])("refuses a manifest with %s, naming apps", (_what, apps) => {
    expect(codeOf(() => parseManifest({ ...minimal, apps }, "m.json"))).toBe("BUNTIME_ERR_CONFIG_INVALID");
    try {
      parseManifest({ ...minimal, apps }, "m.json");
    } catch (error) {
      expect((error as Error).message).toContain("apps");
    }
  });

  it("refuses a lock whose app would be extracted outside the build's apps", () => {
    const app = { package: "shop", version: "1.0.0", integrity };
    expect(codeOf(lockWith({ shop: app }))).toBeUndefined();
    expect(codeOf(lockWith({ "../../etc": app }))).toBe("BUNTIME_ERR_CONFIG_INVALID");
    expect(codeOf(lockWith({ shop: { ...app, version: "../../1.0.0" } }))).toBe("BUNTIME_ERR_CONFIG_INVALID");
    expect(codeOf(lockWith({ shop: { ...app, integrity: "sha1-x" } }))).toBe("BUNTIME_ERR_CONFIG_INVALID");
  });

  it("exports a home's apps: packages at their active version, folders as paths, nothing hidden", () => {
    const home = tempDir();
    const apps = join(home, "apps");
    const version = (app: string, v: string, pkg: string) => {
      mkdirSync(join(apps, app, v), { recursive: true });
      writeFileSync(join(apps, app, v, "package.json"), JSON.stringify({ name: pkg, version: v }));
    };
    version("shop", "1.0.0", "shop");
    version("shop", "1.2.0", "shop");
    writeFileSync(join(apps, "shop", ".active"), "1.0.0\n");
    version("portal", "2.0.0", "@acme/portal");
    version("portal", "2.1.0", "@acme/portal");
    mkdirSync(join(apps, "notes"));
    writeFileSync(join(apps, "notes", "index.ts"), "export default {};\n");
    mkdirSync(join(apps, ".staging", "x"), { recursive: true });
    mkdirSync(join(apps, "Bad Name"));
    expect(exportedApps(apps, join(home, "copy", "buntime.distro.json"))).toEqual({
      notes: { path: "../apps/notes" },
      portal: { range: "2.1.0", package: "@acme/portal" },
      shop: "1.0.0",
    });
    expect(exportedApps(join(home, "none"), join(home, "m.json"))).toEqual({});
  });
});
