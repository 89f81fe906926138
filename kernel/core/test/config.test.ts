import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "@buntime/kernel";
import { tempDir } from "./support/kernel-fixture.ts";

describe("kernel configuration", () => {
  it("applies defaults < buntime.config.json < BUNTIME_* env < command line", () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, "buntime.config.json"),
      JSON.stringify({ port: 9000, home: "data", hookTimeout: 100 }),
    );
    const config = loadConfig({
      cwd,
      env: { BUNTIME_PORT: "9100", BUNTIME_PLUGIN_DIRS: "a:b" },
      overrides: { port: 9200 },
    });
    expect(config).toMatchObject({
      port: 9200,
      home: join(cwd, "data"),
      pluginDirs: [join(cwd, "a"), join(cwd, "b")],
      hookTimeout: 100,
      shutdownTimeout: 10_000,
      hostname: "127.0.0.1",
    });
  });

  it("names the file and field of a bad setting", () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "buntime.config.json"), JSON.stringify({ port: "eighty", colour: "blue" }));
    expect(() => loadConfig({ cwd, env: {} })).toThrow(
      `${join(cwd, "buntime.config.json")}: invalid configuration: port: Invalid input: expected number, received string; (root): Unrecognized key: "colour"`,
    );
  });

  it("reads isolation from the file, BUNTIME_ISOLATION from the env, and names a tier it does not know", () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "buntime.config.json"), JSON.stringify({ isolation: { minimum: "process" } }));
    expect(loadConfig({ cwd, env: {} }).isolation).toEqual({
      default: "thread",
      minimum: "process",
      pids: 64,
      cpu: 1,
      groups: {},
    });
    expect(loadConfig({ cwd: tempDir(), env: { BUNTIME_ISOLATION: "process" } }).isolation.default).toBe(
      "process",
    );
    expect(() => loadConfig({ cwd: tempDir(), env: { BUNTIME_ISOLATION: "vm" } })).toThrow(
      'env BUNTIME_ISOLATION: invalid configuration: isolation.default: expected "thread" or "process"',
    );
  });

  it("names the environment variable of a bad setting", () => {
    expect(() => loadConfig({ cwd: tempDir(), env: { BUNTIME_PORT: "99999" } })).toThrow(
      "env BUNTIME_PORT: invalid configuration: port: Too big: expected number to be <=65535",
    );
  });

  it("reports a config file that is not JSON", () => {
    const path = join(tempDir(), "custom.json");
    writeFileSync(path, "{ port: 1 ");
    expect(() => loadConfig({ configPath: path, env: {} })).toThrow(`${path}: invalid configuration:`);
  });

  it("refuses an explicit config file that does not exist", () => {
    expect(() => loadConfig({ configPath: "/nonexistent/buntime.json", env: {} })).toThrow(
      "/nonexistent/buntime.json: invalid configuration: ENOENT",
    );
  });
});
