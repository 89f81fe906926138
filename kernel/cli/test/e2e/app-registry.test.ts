/**
 * `buntime app deploy <name>@<range>` from a registry: the highest version in range, its
 * integrity checked before anything reaches the kernel: first published with `buntime app
 * publish` to Buntime's own registry, then from a minimal npm registry that can serve a tarball
 * whose declared integrity lies (Buntime's registry computes integrity itself).
 */
import { afterAll, describe, expect, it } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { integrityOf } from "@buntime/supply";
import { kernelWithDeployments } from "./deployments-kernel.ts";
import { cleanUp, cli, liveRegistry, workspace } from "./support.ts";

afterAll(cleanUp);

/** Packs app `shop` at `version` with `buntime app pack`; answers its tarball. */
async function packed(dir: string, version: string): Promise<Uint8Array> {
  const app = join(dir, `shop-src-${version}`);
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "shop", version, buntime: { app: {} } }));
  writeFileSync(join(app, "index.ts"), `export default { fetch: () => new Response("shop ${version}") };`);
  const run = await cli(["app", "pack", app, "--out", dir, "--json"], dir);
  expect(run.code).toBe(0);
  return new Uint8Array(readFileSync(JSON.parse(run.stdout).path));
}

/** Serves a packument of `shop` with `versions` and their tarballs; `integrity` overrides what is declared. */
function fakeRegistry(tarballs: Record<string, Uint8Array>, integrity: Record<string, string> = {}) {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request): Response {
      const url = new URL(request.url);
      const pathname = url.pathname;
      const base = url.origin;
      if (pathname === "/shop") {
        const versions = Object.fromEntries(
          Object.entries(tarballs).map(([version, bytes]) => [
            version,
            {
              name: "shop",
              version,
              dist: {
                tarball: `${base}/shop/-/shop-${version}.tgz`,
                integrity: integrity[version] ?? integrityOf(bytes),
              },
            },
          ]),
        );
        const latest = Object.keys(tarballs).sort().at(-1);
        return Response.json({ name: "shop", "dist-tags": { latest }, versions });
      }
      const match = /^\/shop\/-\/shop-(.+)\.tgz$/.exec(pathname);
      const bytes = match && tarballs[match[1] as string];
      return bytes
        ? new Response(bytes as Uint8Array<ArrayBuffer>)
        : new Response("not found", { status: 404 });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/`, stop: () => server.stop(true) };
}

describe("deploying an app from a registry", () => {
  it("publishes an app with buntime app publish to Buntime's registry and deploys it from there", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    const reg = ["--registry", registry.url];
    const env = { BUNTIME_REGISTRY_PASSWORD: "correct horse battery" };
    expect((await cli(["login", "--user", "ada", ...reg], dir, env)).code).toBe(0);
    const app = join(dir, "shop-src");
    mkdirSync(app);
    writeFileSync(
      join(app, "package.json"),
      JSON.stringify({ name: "shop", version: "1.0.0", buntime: { app: {} } }),
    );
    writeFileSync(
      join(app, "index.ts"),
      `export default { fetch: () => new Response("shop from the registry") };`,
    );
    const published = await cli(["app", "publish", app, ...reg], dir);
    expect(published.stdout).toContain(`published shop@1.0.0 (latest) to ${registry.url}`);
    expect(published.code).toBe(0);
    const home = join(dir, "home");
    const kernel = await kernelWithDeployments(dir, home);
    try {
      const deployed = await cli(["app", "deploy", "shop@^1", "--home", home, ...reg, "--json"], dir);
      expect(JSON.parse(deployed.stdout)).toMatchObject({ name: "shop", version: "1.0.0", active: true });
      expect(await (await fetch(new URL("/shop/", kernel.url))).text()).toBe("shop from the registry");
    } finally {
      await kernel.stop();
    }
  }, 60_000);

  it("deploys the highest version in range, and refuses a tarball whose integrity does not match", async () => {
    const dir = workspace();
    mkdirSync(join(dir, "cli-settings"));
    // this registry signs nothing: the signature policy is the user's to relax, as for plugins
    writeFileSync(join(dir, "cli-settings", "cli.json"), JSON.stringify({ signaturePolicy: "none" }));
    const versions = {
      "1.0.0": await packed(dir, "1.0.0"),
      "1.2.0": await packed(dir, "1.2.0"),
      "2.0.0": await packed(dir, "2.0.0"),
    };
    const registry = fakeRegistry(versions, { "2.0.0": integrityOf(new Uint8Array([1, 2, 3])) });
    const home = join(dir, "home");
    const kernel = await kernelWithDeployments(dir, home);
    try {
      const at = ["--home", home, "--registry", registry.url];
      const deployed = await cli(["app", "deploy", "shop@^1", ...at, "--json"], dir);
      expect(JSON.parse(deployed.stdout)).toMatchObject({ name: "shop", version: "1.2.0", active: true });
      expect(await (await fetch(new URL("/shop/", kernel.url))).text()).toBe("shop 1.2.0");

      const tampered = await cli(["app", "deploy", "shop@2.0.0", ...at], dir);
      expect(tampered.code).toBe(1);
      expect(tampered.stderr).toContain("INTEGRITY");
      const listed = await cli(["app", "list", "--home", home, "--json"], dir);
      expect(JSON.parse(listed.stdout).apps[0].versions.map((v: { version: string }) => v.version)).toEqual([
        "1.2.0",
      ]);
    } finally {
      await kernel.stop();
      registry.stop();
    }
  }, 60_000);
});
