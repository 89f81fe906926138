import { afterAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { cleanUp, cli, liveRegistry, seed, snapshot, workspace, writePlugin } from "./support.ts";

afterAll(cleanUp);

describe("buntime plugin install --plan", () => {
  it("answers the resolved set, the permissions before and after and the signatures, changing nothing", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    const reg = ["--registry", registry.url];
    const home = join(dir, "home");
    await seed(registry, writePlugin(dir, { name: "@e2e/base", version: "1.0.0" }));
    await seed(
      registry,
      writePlugin(dir, { name: "@e2e/web", version: "1.0.0", permissions: { network: ["a.test"] } }),
    );
    expect((await cli(["plugin", "install", "@e2e/web", ...reg, "--home", home], dir)).code).toBe(0);
    await seed(
      registry,
      writePlugin(dir, {
        name: "@e2e/web",
        version: "1.1.0",
        deps: { "@e2e/base": "^1.0.0" },
        permissions: { network: ["a.test"], env: ["WEB_KEY"] },
      }),
    );
    const before = snapshot(home);
    const planned = await cli(
      ["plugin", "install", "@e2e/web", ...reg, "--home", home, "--plan", "--json"],
      dir,
    );
    expect(planned.code).toBe(0);
    const report = JSON.parse(planned.stdout);
    expect(report.policy).toBe("registry");
    expect(report.kernel.running).toBeNull();
    expect(report.plugins).toEqual([
      expect.objectContaining({
        name: "@e2e/web",
        version: "1.1.0",
        replaces: "1.0.0",
        wantedBy: "you",
        kernel: "^0.1.0",
        permissions: { network: ["a.test"], env: ["WEB_KEY"], storage: false },
        previousPermissions: { network: ["a.test"], env: [], storage: false },
        signatures: { registry: true, publisher: null },
      }),
      expect.objectContaining({
        name: "@e2e/base",
        version: "1.0.0",
        replaces: null,
        wantedBy: "you > @e2e/web@1.1.0",
      }),
    ]);
    expect(snapshot(home)).toEqual(before);
    const human = await cli(["plugin", "install", "@e2e/web", ...reg, "--home", home, "--plan"], dir);
    expect(human.stdout).toContain("would upgrade @e2e/web 1.0.0 -> 1.1.0\nwould install @e2e/base@1.0.0");
  }, 30000);

  it("fails in the install's words", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    const run = await cli(
      ["plugin", "install", "nope", "--registry", registry.url, "--home", join(dir, "h"), "--plan"],
      dir,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("[BUNTIME_ERR_INSTALL_UNKNOWN_PLUGIN]");
  }, 30000);
});
