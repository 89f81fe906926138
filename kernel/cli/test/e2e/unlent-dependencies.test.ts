/**
 * A plugin whose package.json has npm dependencies the kernel does not lend is installed only
 * where they resolve: in a home outside any node_modules it is refused with the dependencies
 * named and the home left as it was, never "installed" and then broken at load.
 */
import { afterAll, beforeAll, expect, it } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanUp, cli, liveRegistry, seed, snapshot, workspace, writePlugin } from "./support.ts";

afterAll(cleanUp);

const dir = workspace(); // links the checkout's node_modules: a home inside it resolves what the checkout has
const bare = mkdtempSync(join(tmpdir(), "buntime-bare-home-"));
afterAll(() => rmSync(bare, { recursive: true, force: true }));
let registry = "";

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

it("installs it into a home whose node_modules resolves them", async () => {
  const home = join(dir, "home");
  const run = await cli(["plugin", "install", "joseish", "--registry", registry, "--home", home], dir);
  expect(run.stderr).not.toContain("BUNTIME_ERR");
  expect(run.code).toBe(0);
});
