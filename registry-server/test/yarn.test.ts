import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CLIENTS, npmrcToken, runClient, writeProject } from "./helpers/clients.ts";
import { call, signUp, startTestRegistry } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

const registry = await startTestRegistry();
const token = await signUp(registry.base, "yarn-user");
const plain = publishBody("plain-dep", "2.0.0", packageTgz("plain-dep", "2.0.0"));
expect((await call(registry.base, "PUT", "/plain-dep", { token, body: plain })).status).toBe(201);
const versionOf = (dir: string, name: string) =>
  JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8")).version;

describe("yarn classic (1.x) against the registry", () => {
  const files = {
    ".yarnrc": `registry "${registry.url}"\n`,
    ".npmrc": `@y1:registry=${registry.url}\n${npmrcToken(registry.url, token)}`,
  };

  it("publishes a scoped package with the token of .npmrc", async () => {
    const dir = writeProject(
      join(registry.dir, "y1-lib"),
      { name: "@y1/lib", version: "1.0.0", license: "MIT" },
      files,
    );
    const published = await runClient(
      [
        ...CLIENTS.yarnClassic,
        "publish",
        "--non-interactive",
        "--access",
        "public",
        "--new-version",
        "1.0.0",
      ],
      dir,
      join(registry.dir, "home-y1"),
    );
    expect(published.stdout).toContain("success Published.");
    expect(published.code).toBe(0);
    expect((await call(registry.base, "GET", "/@y1/lib")).body.versions["1.0.0"]._npmUser).toEqual({
      name: "yarn-user",
    });
  }, 90_000);

  it("installs it and an unscoped package into a fresh project", async () => {
    const dir = writeProject(
      join(registry.dir, "y1-app"),
      {
        name: "y1-app",
        version: "1.0.0",
        license: "MIT",
        dependencies: { "@y1/lib": "^1.0.0", "plain-dep": "2.0.0" },
      },
      files,
    );
    const installed = await runClient(
      [
        ...CLIENTS.yarnClassic,
        "install",
        "--non-interactive",
        "--cache-folder",
        join(registry.dir, "y1-cache"),
      ],
      dir,
      join(registry.dir, "home-y1"),
    );
    expect(installed.code).toBe(0);
    expect(versionOf(dir, "@y1/lib")).toBe("1.0.0");
    expect(versionOf(dir, "plain-dep")).toBe("2.0.0");
    expect(readFileSync(join(dir, "yarn.lock"), "utf8")).toContain(
      `${registry.url}plain-dep/-/plain-dep-2.0.0.tgz`,
    );
  }, 90_000);
});

describe("yarn berry (4.x) against the registry", () => {
  // `gate` is npmMinimalAgeGate, set at the top (unscoped names) and in the scope (whose own
  // default of one day otherwise wins for its names).
  const yarnrc = (gate?: string) =>
    [
      `npmRegistryServer: "${registry.base}"`,
      `unsafeHttpWhitelist: ["127.0.0.1"]`,
      "enableTelemetry: false",
      "enableGlobalCache: false",
      "nodeLinker: node-modules",
      "npmScopes:",
      "  y4:",
      `    npmRegistryServer: "${registry.base}"`,
      `    npmAuthToken: "${token}"`,
      ...(gate === undefined ? [] : [`    npmMinimalAgeGate: ${gate}`, `npmMinimalAgeGate: ${gate}`]),
      "",
    ].join("\n");
  const yarn = (dir: string, ...args: string[]) =>
    runClient([...CLIENTS.yarnBerry, ...args], dir, join(registry.dir, "home-y4"));

  it("publishes a scoped package with yarn npm publish and a scoped token", async () => {
    const dir = writeProject(
      join(registry.dir, "y4-lib"),
      { name: "@y4/lib", version: "1.0.0" },
      { ".yarnrc.yml": yarnrc(), "yarn.lock": "" },
    );
    expect((await yarn(dir, "install")).code).toBe(0);
    const published = await yarn(dir, "npm", "publish", "--access", "public");
    expect(published.stdout).toContain("Package archive published");
    expect(published.code).toBe(0);
    expect((await call(registry.base, "GET", "/@y4/lib")).body.versions["1.0.0"]._npmUser).toEqual({
      name: "yarn-user",
    });
    // yarn prints the body's `error` string: the registry's code and reason, not "[object Object]"
    const again = await yarn(dir, "npm", "publish");
    expect(again.code).not.toBe(0);
    expect(again.stdout).toContain(
      "BUNTIME_ERR_REGISTRY_VERSION_EXISTS: @y4/lib@1.0.0 was already published; versions are immutable",
    );
  }, 90_000);

  it("quarantines a version younger than a day by default (npmMinimalAgeGate), like on npmjs", async () => {
    const dir = writeProject(
      join(registry.dir, "y4-gated"),
      { name: "y4-gated", version: "1.0.0", dependencies: { "plain-dep": "2.0.0" } },
      { ".yarnrc.yml": yarnrc(), "yarn.lock": "" },
    );
    const gated = await yarn(dir, "install");
    expect(gated.code).not.toBe(0);
    expect(gated.stdout).toContain('All versions satisfying "2.0.0" are quarantined');
  }, 90_000);

  it("installs fresh versions with npmMinimalAgeGate: 0", async () => {
    const dir = writeProject(
      join(registry.dir, "y4-app"),
      { name: "y4-app", version: "1.0.0", dependencies: { "@y4/lib": "^1.0.0", "plain-dep": "2.0.0" } },
      { ".yarnrc.yml": yarnrc("0"), "yarn.lock": "" },
    );
    const installed = await yarn(dir, "install");
    expect(installed.code).toBe(0);
    expect(versionOf(dir, "@y4/lib")).toBe("1.0.0");
    expect(versionOf(dir, "plain-dep")).toBe("2.0.0");
  }, 90_000);

  it("installs a package only the upstream has through an uplink", async () => {
    const proxy = await startTestRegistry({
      uplinks: [{ url: registry.url }],
      uplinkCacheDir: join(registry.dir, "up"),
    });
    const rc = `npmRegistryServer: "${proxy.base}"\nunsafeHttpWhitelist: ["127.0.0.1"]\nnpmMinimalAgeGate: 0\nnodeLinker: node-modules\nenableGlobalCache: false\n`;
    const dir = writeProject(
      join(proxy.dir, "y4-proxied"),
      { name: "y4-proxied", version: "1.0.0", dependencies: { "plain-dep": "2.0.0" } },
      { ".yarnrc.yml": rc, "yarn.lock": "" },
    );
    const installed = await yarn(dir, "install");
    expect(installed.code).toBe(0);
    expect(versionOf(dir, "plain-dep")).toBe("2.0.0");
    expect(readFileSync(join(dir, "yarn.lock"), "utf8")).toContain("plain-dep@npm:2.0.0");
  }, 90_000);
});
