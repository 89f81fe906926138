import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createKernel, loadConfig } from "@buntime/kernel";
import { inlinePlugin, startTestKernel, tempDir, withHooks } from "./support/kernel-fixture.ts";

function configFile(text: string): { cwd: string; path: string } {
  const cwd = tempDir();
  const path = join(cwd, "buntime.config.json");
  writeFileSync(path, text);
  return { cwd, path };
}

describe("careless input at start", () => {
  it("reports the line and column of invalid JSON in buntime.config.json", () => {
    const { cwd, path } = configFile('{\n  "port": 9000,\n  hostname: "127.0.0.1"\n}\n');
    expect(() => loadConfig({ cwd, env: {} })).toThrow(
      `${path}: invalid configuration: not JSON at line 3, column 3: invalid symbol`,
    );
  });

  it("reports a trailing comma and a comment where they are", () => {
    const trailing = configFile('{ "port": 9000, }');
    expect(() => loadConfig({ cwd: trailing.cwd, env: {} })).toThrow(
      "not JSON at line 1, column 17: property name expected",
    );
    const comment = configFile('{\n  // the port\n  "port": 9000\n}');
    expect(() => loadConfig({ cwd: comment.cwd, env: {} })).toThrow(
      "not JSON at line 2, column 3: invalid comment token",
    );
  });

  it("refuses a plugin folder that does not exist, naming it, before loading anything", async () => {
    const missing = join(tempDir(), "plugns");
    const kernel = createKernel({
      config: { home: tempDir(), pluginDirs: [missing] },
      plugins: [inlinePlugin("early", {}, withHooks())],
      logSink: () => {},
    });
    const refusal = kernel.start();
    await expect(refusal).rejects.toThrow(
      `plugin folder ${missing} does not exist (from --plugins, BUNTIME_PLUGIN_DIRS or pluginDirs)`,
    );
    await refusal.catch((error) => expect(error.code).toBe("BUNTIME_ERR_CONFIG_PLUGIN_DIR_MISSING"));
    expect(kernel.plugins()).toEqual([]);
  });

  it("refuses a plugin folder that is a file", async () => {
    const file = join(tempDir(), "plugins.txt");
    writeFileSync(file, "");
    const kernel = createKernel({ config: { home: tempDir(), pluginDirs: [file] }, logSink: () => {} });
    await expect(kernel.start()).rejects.toThrow(`plugin folder ${file} does not exist`);
  });

  it("warns about settings for a plugin that is not loaded, suggesting a near miss", async () => {
    const { logs, kernel } = await startTestKernel({
      config: {
        plugins: {
          "@buntime/plugin-ratelimt": { limit: 1 },
          "@acme/unrelated": {},
          "@buntime/plugin-ratelimit": {},
        },
      },
      plugins: [inlinePlugin("@buntime/plugin-ratelimit", {}, withHooks())],
    });
    expect(kernel.plugins().map(({ name }) => name)).toEqual(["@buntime/plugin-ratelimit"]);
    const warnings = logs.filter(({ level }) => level === "warn").map(({ message }) => message);
    expect(warnings).toEqual([
      'settings under "plugins" for @buntime/plugin-ratelimt, which is not loaded: they are ignored; did you mean @buntime/plugin-ratelimit?',
      'settings under "plugins" for @acme/unrelated, which is not loaded: they are ignored',
    ]);
  });

  it("binds to 127.0.0.1 unless configured otherwise", () => {
    expect(loadConfig({ cwd: tempDir(), env: {} }).hostname).toBe("127.0.0.1");
    expect(loadConfig({ cwd: tempDir(), env: { BUNTIME_HOSTNAME: "0.0.0.0" } }).hostname).toBe("0.0.0.0");
  });
});
