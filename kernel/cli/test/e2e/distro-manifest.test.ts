import { afterAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanUp, cli, liveRegistry, seed, workspace, writePlugin } from "./support.ts";

afterAll(cleanUp);

const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, "buntime.distro.json"), "utf8"));

describe("buntime distro init, add and remove", () => {
  it("writes a starter manifest whose $schema points at the published schema, and never overwrites one", async () => {
    const dir = workspace();
    const first = await cli(["distro", "init", "--name", "edge"], dir);
    expect(first.code).toBe(0);
    const manifest = manifestOf(dir);
    expect(manifest).toMatchObject({
      name: "edge",
      version: "0.1.0",
      plugins: { "@buntime/plugin-router": "^0.1.0" },
    });
    const schema = JSON.parse(readFileSync(join(dir, manifest.$schema), "utf8"));
    expect(schema.title).toBe("buntime.distro.json");

    const again = await cli(["distro", "init"], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("BUNTIME_ERR_DISTRO_EXISTS");
    expect(manifestOf(dir)).toEqual(manifest);
  }, 30_000);

  it("adds plugins by short name with the registry's latest as a caret range, with settings, and removes them", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    await seed(registry, writePlugin(dir, { name: "@buntime/plugin-auth", version: "0.3.2" }));
    await seed(registry, writePlugin(dir, { name: "@acme/cache", version: "2.0.0" }));
    expect((await cli(["distro", "init", "--registry", registry.url], dir)).code).toBe(0);

    const added = await cli(["distro", "add", "auth", "@acme/cache@~2.0", "--json"], dir);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout).added).toEqual(["@buntime/plugin-auth@^0.3.2", "@acme/cache@~2.0"]);
    const configured = await cli(["distro", "add", "@acme/cache@^2", "--config", '{"size":5}'], dir);
    expect(configured.code).toBe(0);
    expect(manifestOf(dir).plugins["@acme/cache"]).toEqual({ range: "^2", config: { size: 5 } });

    const removed = await cli(["distro", "remove", "auth", "router"], dir);
    expect(removed.code).toBe(0);
    expect(Object.keys(manifestOf(dir).plugins)).toEqual(["@acme/cache"]);
  }, 30_000);

  it("changes nothing on bad input: an unknown plugin, a bad range, bad settings, a name it does not list", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    await seed(registry, writePlugin(dir, { name: "@acme/x", version: "1.0.0" }));
    expect((await cli(["distro", "init", "--registry", registry.url], dir)).code).toBe(0);
    const before = readFileSync(join(dir, "buntime.distro.json"), "utf8");
    const cases: [string[], string][] = [
      [["distro", "add", "@acme/nothing"], "BUNTIME_ERR_INSTALL_UNKNOWN_PLUGIN"],
      [["distro", "add", "@acme/x@not-a-range!"], "BUNTIME_ERR_CONFIG_INVALID"],
      [["distro", "add", "@acme/x@1", "--config", "[1]"], "BUNTIME_ERR_CLI_USAGE"],
      [["distro", "remove", "auth"], "BUNTIME_ERR_DISTRO_NOT_FOUND"],
      [["distro", "add", "x@1", "--file", join(dir, "missing.json")], "BUNTIME_ERR_DISTRO_NOT_FOUND"],
    ];
    for (const [args, code] of cases) {
      const run = await cli(args, dir);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(code);
    }
    expect(readFileSync(join(dir, "buntime.distro.json"), "utf8")).toBe(before);
  }, 30_000);
});
