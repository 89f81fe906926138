import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { pluginPackage, SDK_MODULE, tempDir, writePluginFolder } from "@buntime/test-kit/fixtures";
import { untilListening } from "@buntime/test-kit/listening";

const CLI = join(import.meta.dir, "..", "bin", "buntime.ts");

function buntime(args: string[], cwd = tempDir()) {
  return Bun.spawn([process.execPath, CLI, ...args], {
    cwd,
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "", HOME: cwd },
  });
}

describe("buntime start", () => {
  it("serves plugins from a folder over HTTP and stops with exit 0 on SIGTERM", async () => {
    const plugins = tempDir();
    writePluginFolder(
      join(plugins, "hello"),
      pluginPackage("hello", { base: "/" }),
      `import { definePlugin } from ${SDK_MODULE};
export default definePlugin({ setup: () => ({ fetch: () => new Response("hello") }) });`,
    );
    const child = buntime([
      "start",
      "--port",
      "0",
      "--hostname",
      "127.0.0.1",
      "--home",
      tempDir(),
      "--plugins",
      plugins,
    ]);
    try {
      const { url } = await untilListening(child.stdout);
      expect(await (await fetch(url)).text()).toBe("hello");
      const health = await (await fetch(new URL("/_/api/health", url))).json();
      expect(health.status).toBe("ok");
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("prints help", async () => {
    const child = buntime(["start", "--help"]);
    expect(await child.exited).toBe(0);
    expect(await new Response(child.stdout).text()).toContain("Usage: buntime start [options]");
  });

  it("exits 1 with a one-line cause on a bad setting", async () => {
    const child = buntime(["start", "--port", "nope"]);
    expect(await child.exited).toBe(1);
    expect(await new Response(child.stderr).text()).toBe(
      "buntime start: command line: invalid configuration: port: Invalid input: expected number, received NaN [BUNTIME_ERR_CONFIG_INVALID]\n",
    );
  });

  it("exits 1 naming the file, line and column of invalid JSON in buntime.config.json", async () => {
    const cwd = tempDir();
    await Bun.write(join(cwd, "buntime.config.json"), '{\n  "port": 0,,\n}');
    const child = buntime(["start", "--home", tempDir()], cwd);
    expect(await child.exited).toBe(1);
    expect(await new Response(child.stderr).text()).toBe(
      `buntime start: ${join(cwd, "buntime.config.json")}: invalid configuration: not JSON at line 2, column 13: property name expected [BUNTIME_ERR_CONFIG_INVALID]\n`,
    );
  });

  it("exits 1 naming a --plugins folder that does not exist", async () => {
    const missing = join(tempDir(), "plugns");
    const child = buntime(["start", "--port", "0", "--home", tempDir(), "--plugins", missing]);
    expect(await child.exited).toBe(1);
    expect(await new Response(child.stderr).text()).toContain(
      `buntime start: plugin folder ${missing} does not exist (from --plugins, BUNTIME_PLUGIN_DIRS or pluginDirs) [BUNTIME_ERR_CONFIG_PLUGIN_DIR_MISSING]\n`,
    );
  });

  it("warns at start about settings for a misspelt plugin name", async () => {
    const cwd = tempDir();
    const plugins = tempDir();
    writePluginFolder(
      join(plugins, "ratelimit"),
      pluginPackage("@buntime/plugin-ratelimit", {}),
      `import { definePlugin } from ${SDK_MODULE};
export default definePlugin({ setup: () => ({}) });`,
    );
    await Bun.write(
      join(cwd, "buntime.config.json"),
      JSON.stringify({ plugins: { "@buntime/plugin-ratelimt": { limit: 1 } } }),
    );
    const child = buntime(["start", "--port", "0", "--home", tempDir(), "--plugins", plugins], cwd);
    try {
      const { url } = await untilListening(child.stdout);
      expect(url.hostname).toBe("127.0.0.1");
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
      expect(await new Response(child.stderr).text()).toContain(
        'settings under "plugins" for @buntime/plugin-ratelimt, which is not loaded: they are ignored; did you mean @buntime/plugin-ratelimit?',
      );
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("exits 2 on an unknown command", async () => {
    const child = buntime(["launch"]);
    expect(await child.exited).toBe(2);
    expect(await new Response(child.stderr).text()).toContain("buntime: unknown command 'launch'");
  });
});
