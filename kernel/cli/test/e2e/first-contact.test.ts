/**
 * A new user's first commands: `plugin list` shows every plugin the running kernel runs, those
 * bundled with it (its plugin folders) and those installed in the home, with where each came
 * from; removing or upgrading a bundled plugin explains what to do; commands run inside a plugin
 * folder find the project's home above it, or say there is none instead of succeeding on nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningRegistry } from "@buntime/registry-server";
import { cleanUp, cli, liveRegistry, runningKernel, seed, workspace, writePlugin } from "./support.ts";

afterAll(cleanUp);

const dir = workspace();
const project = join(dir, "project");
const home = join(project, ".buntime");
/** A plugin folder inside the project, where an author runs commands. */
const pluginFolder = join(project, "plugins", "mine");
let registry: RunningRegistry;
let kernelUrl: URL;
/** The user's home folder is the workspace: the walk up stops there. */
const user = { HOME: dir };

beforeAll(async () => {
  registry = await liveRegistry(dir);
  await seed(registry, writePlugin(dir, { name: "@acme/inst", version: "1.0.0" }));
  const bundled = writePlugin(dir, { name: "@acme/bundled", version: "1.0.0" });
  mkdirSync(pluginFolder, { recursive: true });
  mkdirSync(home, { recursive: true });
  kernelUrl = (await runningKernel(home, project, {}, bundled)).url;
  const installed = await cli(
    ["plugin", "install", "@acme/inst", "--registry", registry.url, "--signatures", "none"],
    project,
    user,
  );
  expect(installed.code).toBe(0);
}, 60_000);

describe("plugin list", () => {
  it("shows bundled and installed plugins with where each came from, using the home found above the folder", async () => {
    const run = await cli(["plugin", "list", "--registry", registry.url], pluginFolder, user);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`home: ${home} (found above the current folder)`);
    expect(run.stdout).toContain(`installed in ${join(home, "plugins")}:\n  @acme/inst@1.0.0  loaded`);
    expect(run.stdout).toContain(
      `bundled with the kernel at ${kernelUrl.href} (from its plugin folders or distribution):\n  @acme/bundled@1.0.0  running`,
    );
    const json = JSON.parse(
      (await cli(["plugin", "list", "--offline", "--json"], pluginFolder, user)).stdout,
    );
    expect(json.home).toBe(home);
    expect(json.plugins.map((p: { name: string; source: string }) => [p.name, p.source])).toEqual([
      ["@acme/inst", "installed"],
      ["@acme/bundled", "bundled"],
    ]);
  });
});

describe("a bundled plugin", () => {
  it("is not removed: the CLI says to change the distribution", async () => {
    const run = await cli(["plugin", "remove", "@acme/bundled"], pluginFolder, user);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `@acme/bundled is bundled: the kernel at ${kernelUrl.href} loads it from a plugin folder of its distribution, it is not installed in ${home} [BUNTIME_ERR_CLI_PLUGIN_BUNDLED]`,
    );
    expect(run.stderr).toContain("hint: to stop running it, take it out of the distribution");
    expect(await (await fetch(new URL("/bundled/x", kernelUrl))).text()).toBe("@acme/bundled@1.0.0");
  });

  it("is not counted as up to date by an upgrade of a home with nothing installed", async () => {
    const other = join(dir, "bare-project");
    mkdirSync(join(other, ".buntime"), { recursive: true });
    const run = await cli(["plugin", "upgrade", "--registry", registry.url], other, user);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `no plugins installed in ${join(other, ".buntime")}: nothing to upgrade (bundled ones change with the distribution)\n`,
    );
  });

  it("is not upgraded: the CLI says how to run a registry version over it", async () => {
    const run = await cli(
      ["plugin", "upgrade", "@acme/bundled", "--registry", registry.url],
      pluginFolder,
      user,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("[BUNTIME_ERR_CLI_PLUGIN_BUNDLED]");
    expect(run.stderr).toContain(
      "hint: install a registry version over it (buntime plugin install @acme/bundled",
    );
  });
});

describe("a folder with no home around it", () => {
  const lonely = join(dir, "elsewhere", "plugin");

  beforeAll(() => mkdirSync(lonely, { recursive: true }));

  it("list, upgrade and remove say there is no home instead of succeeding on nothing", async () => {
    for (const args of [
      ["plugin", "list", "--offline"],
      ["plugin", "upgrade"],
      ["plugin", "remove", "x"],
    ]) {
      const run = await cli(args, lonely, user);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `no Buntime home at ${join(lonely, ".buntime")} (none in the current folder or its parents; pass --home or set BUNTIME_HOME) [BUNTIME_ERR_CLI_NO_HOME]`,
      );
    }
  });

  it("an install there says it makes a new home, and where", async () => {
    const run = await cli(
      ["plugin", "install", "@acme/inst", "--registry", registry.url, "--signatures", "none"],
      lonely,
      user,
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      `home: ${join(lonely, ".buntime")} (not there yet: no buntime.config.json or .buntime here`,
    );
  });

  it("a buntime.config.json above names the home", async () => {
    const configured = join(dir, "configured");
    mkdirSync(join(configured, "deep", "er"), { recursive: true });
    writeFileSync(join(configured, "buntime.config.json"), JSON.stringify({ home: "state" }));
    const run = await cli(["plugin", "list", "--offline"], join(configured, "deep", "er"), user);
    expect(run.stderr).toContain(`no Buntime home at ${join(configured, "state")}`);
    mkdirSync(join(configured, "state"));
    const listed = await cli(["plugin", "list", "--offline"], join(configured, "deep", "er"), user);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`no plugins installed in ${join(configured, "state")}`);
  });

  it("stops looking at the user's home folder: a .buntime above it is not picked up", async () => {
    const above = join(dir, "above");
    const userHome = join(above, "user");
    mkdirSync(join(above, ".buntime", "plugins"), { recursive: true });
    mkdirSync(join(userHome, "work"), { recursive: true });
    const run = await cli(["plugin", "list", "--offline"], join(userHome, "work"), { HOME: userHome });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`no Buntime home at ${join(userHome, "work", ".buntime")}`);
  });
});
