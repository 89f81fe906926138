import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  cleanUp,
  cli,
  liveRegistry,
  type PluginFixture,
  runningKernel,
  seed,
  snapshot,
  workspace,
  writePlugin,
} from "./support.ts";

afterAll(cleanUp);

const dir = workspace();
let registry = "";

beforeAll(async () => {
  const running = await liveRegistry(dir);
  registry = running.url;
  const plugins: PluginFixture[] = [
    { name: "store", version: "1.0.0" },
    { name: "store", version: "1.3.0" },
    { name: "store", version: "2.0.0" },
    { name: "@acme/session", version: "1.0.0", deps: { store: "^1.0.0" } },
    { name: "web", version: "1.0.0", deps: { "@acme/session": "^1.0.0" } },
    {
      name: "mailer",
      version: "1.0.0",
      permissions: { network: ["smtp.example.com"], env: ["SMTP_PASSWORD"], storage: true },
    },
  ];
  for (const plugin of plugins) {
    await seed(running, writePlugin(dir, plugin));
  }
}, 30_000);

const lockOf = (home: string) => JSON.parse(readFileSync(join(home, "plugins", "lock.json"), "utf8")).plugins;

describe("plugin dependencies", () => {
  it("installs plugin dependencies transitively, the kernel loading them before their dependents", async () => {
    const home = join(dir, "home-deps");
    const kernel = await runningKernel(home, dir);
    const run = await cli(
      ["plugin", "install", "web", "--registry", registry, "--home", home, "--json"],
      dir,
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(
      result.installed.map((p: { name: string; version: string; wantedBy: string }) => [
        p.name,
        p.version,
        p.wantedBy,
      ]),
    ).toEqual([
      ["web", "1.0.0", "you"],
      ["@acme/session", "1.0.0", "you > web@1.0.0"],
      ["store", "1.3.0", "you > web@1.0.0 > @acme/session@1.0.0"],
    ]);
    expect(Object.keys(lockOf(home))).toEqual(["@acme/session", "store", "web"]);
    expect(existsSync(join(home, "plugins", "@acme", "session", "1.0.0", "package.json"))).toBe(true);
    expect(await (await fetch(new URL("/session", kernel.url))).text()).toBe("@acme/session@1.0.0");
    expect(await (await fetch(new URL("/store", kernel.url))).text()).toBe("store@1.3.0");

    const again = await cli(["plugin", "install", "web", "--registry", registry, "--home", home], dir);
    expect(again.stdout).toContain("already installed: nothing to do");
    await kernel.stop();
  }, 30_000);

  it("keeps only the version before the last upgrade, and lists updates as unknown when the registry is down", async () => {
    const home = join(dir, "home-history");
    expect(
      (await cli(["plugin", "install", "store@1.0.0", "--registry", registry, "--home", home], dir)).code,
    ).toBe(0);
    expect(
      (await cli(["plugin", "install", "store@1.3.0", "--registry", registry, "--home", home], dir)).code,
    ).toBe(0);
    expect(
      (await cli(["plugin", "upgrade", "store", "--registry", registry, "--home", home], dir)).stdout,
    ).toContain("+ store@2.0.0 (was 1.3.0)");
    expect(readdirSync(join(home, "plugins", "store")).sort()).toEqual(["1.3.0", "2.0.0"]);
    const listed = await cli(["plugin", "list", "--registry", "http://127.0.0.1:9/", "--home", home], dir);
    expect(listed.stdout).toContain("store@2.0.0  (update: ?)  (rollback: 1.3.0)");
    expect(listed.stderr).toContain("registry http://127.0.0.1:9/ is unreachable: updates unknown");
    expect(listed.code).toBe(0);
    const upToDate = await cli(["plugin", "upgrade", "--registry", registry, "--home", home], dir);
    expect(upToDate.stdout).toContain("everything is up to date");
  }, 30_000);

  it("says what an installed plugin may use, from its manifest's permissions", async () => {
    const home = join(dir, "home-permissions");
    const run = await cli(["plugin", "install", "mailer", "--registry", registry, "--home", home], dir);
    expect(run.stdout).toContain(
      "+ mailer@1.0.0, registry-signed\n    may use: network smtp.example.com, env SMTP_PASSWORD, storage",
    );
    const json = await cli(
      ["plugin", "install", "store", "--registry", registry, "--home", home, "--json"],
      dir,
    );
    expect(JSON.parse(json.stdout).installed[0].permissions).toEqual({
      network: [],
      env: [],
      storage: false,
    });
  }, 30_000);

  it("refuses to remove a plugin others depend on, unless forced", async () => {
    const home = join(dir, "home-remove");
    expect((await cli(["plugin", "install", "web", "--registry", registry, "--home", home], dir)).code).toBe(
      0,
    );
    const before = snapshot(home);
    const refused = await cli(["plugin", "remove", "store", "--home", home], dir);
    expect(refused.stderr).toContain("store is needed by @acme/session@1.0.0 [BUNTIME_ERR_PLUGIN_IN_USE]");
    expect(refused.code).toBe(1);
    expect(snapshot(home)).toEqual(before);
    const forced = await cli(["plugin", "remove", "store", "--force", "--home", home], dir);
    expect(forced.code).toBe(0);
    expect(Object.keys(lockOf(home))).toEqual(["@acme/session", "web"]);
    expect(existsSync(join(home, "plugins", "store"))).toBe(false);
  }, 30_000);

  it("refuses an upgrade that an installed dependent's range does not admit", async () => {
    const home = join(dir, "home-conflict");
    expect((await cli(["plugin", "install", "web", "--registry", registry, "--home", home], dir)).code).toBe(
      0,
    );
    const before = snapshot(home);
    const run = await cli(["plugin", "install", "store@2", "--registry", registry, "--home", home], dir);
    expect(run.stderr).toContain(
      "store is wanted as 2.0.0 (you) and as ^1.0.0 (installed @acme/session@1.0.0) [BUNTIME_ERR_INSTALL_CONFLICT]",
    );
    expect(run.code).toBe(1);
    expect(snapshot(home)).toEqual(before);
  }, 30_000);
});
