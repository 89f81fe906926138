/**
 * A plugin whose package.json has npm dependencies the kernel does not lend is installed only
 * where they resolve: bundled (`bundleDependencies`, unpacked into its own folder), or found
 * above the home. In a home outside any node_modules an unbundled one is refused with the
 * dependencies named and the home left as it was, never "installed" and then broken at load.
 */
import { afterAll, beforeAll, expect, it } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeTar } from "@buntime/supply";
import {
  cleanUp,
  cli,
  liveRegistry,
  runningKernel,
  seed,
  snapshot,
  workspace,
  writePlugin,
} from "./support.ts";

afterAll(cleanUp);

const dir = workspace(); // links the checkout's node_modules: a home inside it resolves what the checkout has
const bare = mkdtempSync(join(tmpdir(), "buntime-bare-home-"));
afterAll(() => rmSync(bare, { recursive: true, force: true }));
let registry = "";
/** A plugin bundling jose (packed from the checkout's node_modules), whose route answers with it. */
let bundler = "";

/** Adds npm `dependencies` to a plugin folder written by writePlugin. */
function withDependencies(folder: string, dependencies: Record<string, string>): string {
  const pkg = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  writeFileSync(join(folder, "package.json"), JSON.stringify({ ...pkg, dependencies }));
  return folder;
}

beforeAll(async () => {
  const running = await liveRegistry(dir);
  registry = running.url;
  // published past `buntime plugin publish` (which refuses them), as another tool could
  await seed(
    running,
    withDependencies(writePlugin(dir, { name: "needy", version: "1.0.0" }), {
      semver: "7",
      "left-pad-nowhere": "1",
      jose: "6",
    }),
  );
  await seed(
    running,
    withDependencies(writePlugin(dir, { name: "joseish", version: "1.0.0" }), { jose: "6", hono: "4" }),
  );
  // made by another tool: bundleDependencies names a package the tarball lacks
  const liar = JSON.parse(
    readFileSync(join(writePlugin(dir, { name: "liar", version: "1.0.0" }), "package.json"), "utf8"),
  );
  const manifest = {
    ...liar,
    dependencies: { "left-pad-nowhere": "1" },
    bundleDependencies: ["left-pad-nowhere"],
  };
  const text = (path: string, body: string) => ({ path, data: new TextEncoder().encode(body), mode: 0o644 });
  const entries = [
    text("package/package.json", JSON.stringify(manifest)),
    text("package/index.ts", "export default {};\n"),
  ];
  await running.publishTarball(Bun.gzipSync(writeTar(entries) as Uint8Array<ArrayBuffer>));
  bundler = writePlugin(dir, {
    name: "bundler",
    version: "1.0.0",
    entry: `import { base64url } from "jose";
export default { setup: () => ({ fetch: () => new Response(base64url.encode("bundled")) }) };
`,
  });
  const pkg = JSON.parse(readFileSync(join(bundler, "package.json"), "utf8"));
  writeFileSync(
    join(bundler, "package.json"),
    JSON.stringify({ ...pkg, dependencies: { jose: "6" }, bundleDependencies: ["jose"] }),
  );
}, 30_000);

it("refuses to install into a home that cannot resolve them, naming each, and changes nothing", async () => {
  const home = join(bare, "home");
  const ok = await cli(["plugin", "install", "joseish", "--registry", registry, "--home", home], bare);
  expect(ok.stderr).toContain("joseish@1.0.0 depends on jose, which the kernel does not lend");
  expect(ok.code).toBe(1);
  const before = snapshot(home);
  const run = await cli(["plugin", "install", "needy", "--registry", registry, "--home", home], bare);
  expect(run.stderr).toContain(
    `needy@1.0.0 depends on jose, left-pad-nowhere, which the kernel does not lend and ${home} cannot resolve: it would fail at load, so it is not installed (the plugin must bundle them)`,
  );
  expect(run.stderr).toContain("BUNTIME_ERR_INSTALL_DEPENDENCY_MISSING");
  expect(run.code).toBe(1);
  expect(snapshot(home)).toEqual(before);
});

it("refuses a tarball that declares a bundled dependency it does not carry, naming it", async () => {
  const home = join(bare, "liar-home");
  const run = await cli(["plugin", "install", "liar", "--registry", registry, "--home", home], bare);
  expect(run.stderr).toContain(
    `liar@1.0.0 depends on left-pad-nowhere, which the kernel does not lend and ${home} cannot resolve`,
  );
  expect(run.code).toBe(1);
  expect(existsSync(join(home, "plugins", "liar"))).toBe(false);
});

it("installs it into a home whose node_modules resolves them", async () => {
  const home = join(dir, "home");
  const run = await cli(["plugin", "install", "joseish", "--registry", registry, "--home", home], dir);
  expect(run.stderr).not.toContain("BUNTIME_ERR");
  expect(run.code).toBe(0);
});

it("packs and publishes a plugin bundling its dependency, which installs into a bare home and loads", async () => {
  const packed = await cli(["plugin", "pack", bundler, "--json"], dir);
  expect(packed.stderr).not.toContain("BUNTIME_ERR");
  expect(packed.code).toBe(0);
  expect(packed.stdout).toContain("node_modules/jose/package.json");
  const env = { BUNTIME_REGISTRY_PASSWORD: "correct horse battery" };
  expect((await cli(["login", "--user", "ada", "--registry", registry], dir, env)).code).toBe(0);
  const published = await cli(["plugin", "publish", bundler, "--registry", registry], dir);
  expect(published.stderr).not.toContain("BUNTIME_ERR");
  expect(published.code).toBe(0);
  const home = join(bare, "bundled-home");
  const installed = await cli(["plugin", "install", "bundler", "--registry", registry, "--home", home], bare);
  expect(installed.stderr).not.toContain("BUNTIME_ERR");
  expect(installed.code).toBe(0);
  const installedAt = join(home, "plugins", "bundler", "1.0.0");
  expect(existsSync(join(installedAt, "node_modules", "jose", "package.json"))).toBe(true);
  const kernel = await runningKernel(home, bare);
  const response = await fetch(new URL("/bundler", kernel.url));
  expect(await response.text()).toBe("YnVuZGxlZA");
  await kernel.stop();
}, 60_000);
