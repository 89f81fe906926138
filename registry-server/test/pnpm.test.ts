import { describe, expect, it } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CLIENTS, npmrcToken, runClient, writeProject } from "./helpers/clients.ts";
import { call, signUp, startTestRegistry } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

const registry = await startTestRegistry();
const token = await signUp(registry.base, "pnpm-user");
const plain = publishBody("plain-dep", "1.0.0", packageTgz("plain-dep", "1.0.0"));
expect((await call(registry.base, "PUT", "/plain-dep", { token, body: plain })).status).toBe(201);

describe("pnpm against the registry", () => {
  it("publishes a scoped package with a token from .npmrc and a scoped registry", async () => {
    const npmrc = `@pn:registry=${registry.url}\n${npmrcToken(registry.url, token)}`;
    const dir = writeProject(
      join(registry.dir, "pn-lib"),
      { name: "@pn/lib", version: "1.0.0", main: "index.js" },
      { ".npmrc": npmrc },
    );
    const published = await runClient(
      [...CLIENTS.pnpm, "publish", "--no-git-checks", "--access", "public"],
      dir,
      join(registry.dir, "home-pub"),
    );
    expect(published.stdout + published.stderr).toContain("@pn/lib@1.0.0");
    expect(published.code).toBe(0);
    const doc = await call(registry.base, "GET", "/@pn%2flib");
    expect(doc.body.versions["1.0.0"]._npmUser).toEqual({ name: "pnpm-user" });
  }, 90_000);

  it("installs it and an unscoped package into a fresh project (minimumReleaseAge 0 for fresh versions)", async () => {
    const npmrc = `registry=${registry.url}\n${npmrcToken(registry.url, token)}`;
    const dir = writeProject(
      join(registry.dir, "pn-app"),
      {
        name: "pn-app",
        version: "1.0.0",
        private: true,
        dependencies: { "@pn/lib": "^1.0.0", "plain-dep": "1.0.0" },
      },
      { ".npmrc": npmrc, "pnpm-workspace.yaml": "minimumReleaseAge: 0\n" },
    );
    const installed = await runClient(
      [...CLIENTS.pnpm, "install", "--store-dir", join(registry.dir, "pnpm-store")],
      dir,
      join(registry.dir, "home-app"),
    );
    expect(installed.code).toBe(0);
    const lib = JSON.parse(readFileSync(join(dir, "node_modules/@pn/lib/package.json"), "utf8"));
    expect(lib.version).toBe("1.0.0");
    expect(readFileSync(join(dir, "node_modules/plain-dep/README.md"), "utf8")).toBe("# plain-dep\n");
    expect(readFileSync(join(dir, "pnpm-lock.yaml"), "utf8")).toContain("plain-dep@1.0.0");
  }, 90_000);

  it("shows pnpm users the registry's reason when a publish is refused", async () => {
    const npmrc = `registry=${registry.url}\n${npmrcToken(registry.url, token)}`;
    const dir = writeProject(
      join(registry.dir, "pn-again"),
      { name: "@pn/lib", version: "1.0.0" },
      { ".npmrc": npmrc },
    );
    const refused = await runClient(
      [...CLIENTS.pnpm, "publish", "--no-git-checks"],
      dir,
      join(registry.dir, "home-again"),
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain(
      'BUNTIME_ERR_REGISTRY_VERSION_EXISTS","message":"@pn/lib@1.0.0 was already published; versions are immutable',
    );
  }, 90_000);
});

describe("pnpm through an uplink", () => {
  it("installs a package only the upstream has, with the proxy's tarball link in the lockfile", async () => {
    const proxy = await startTestRegistry({
      uplinks: [{ url: registry.url }],
      uplinkCacheDir: join(registry.dir, "up"),
    });
    const dir = writeProject(
      join(proxy.dir, "pn-proxied"),
      { name: "pn-proxied", version: "1.0.0", private: true, dependencies: { "plain-dep": "1.0.0" } },
      { ".npmrc": `registry=${proxy.url}\n`, "pnpm-workspace.yaml": "minimumReleaseAge: 0\n" },
    );
    const installed = await runClient(
      [...CLIENTS.pnpm, "install", "--store-dir", join(proxy.dir, "pnpm-store")],
      dir,
      join(proxy.dir, "home"),
    );
    expect(installed.code).toBe(0);
    expect(readFileSync(join(dir, "node_modules/plain-dep/README.md"), "utf8")).toBe("# plain-dep\n");
    expect(readdirSync(join(registry.dir, "up", "tarballs"))).toEqual(["plain-dep"]);
  }, 90_000);
});
