import { describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@buntime/test-kit/fixtures";
import { untilListening } from "@buntime/test-kit/listening";

const START = join(import.meta.dir, "..", "src", "start.ts");

function start(home: string) {
  return Bun.spawn(
    [
      process.execPath,
      START,
      "--port",
      "0",
      "--hostname",
      "127.0.0.1",
      "--home",
      home,
      "--registry-port",
      "0",
    ],
    { cwd: home, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "", HOME: home } },
  );
}

describe("the default distribution (npm start)", () => {
  it("serves an app dropped into <home>/apps on a bare home, with the first-party plugins", async () => {
    const home = tempDir();
    mkdirSync(join(home, "apps", "hello"), { recursive: true });
    writeFileSync(
      join(home, "apps", "hello", "index.ts"),
      `export default { fetch: (req) => new Response("app saw " + new URL(req.url).pathname) };`,
    );
    const child = start(home);
    try {
      const { url } = await untilListening(child.stdout);
      expect(await (await fetch(new URL("/hello/there", url))).text()).toBe("app saw /there");
      const plugins = await (await fetch(new URL("/_/api/plugins", url))).json();
      expect(plugins.plugins.map((p: { name: string }) => p.name)).toContain("@buntime/plugin-router");
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("runs a registry beside the kernel, seeded with the first-party plugins", async () => {
    const home = tempDir();
    const child = start(home);
    try {
      const { output } = await untilListening(child.stdout);
      const registryUrl = output.match(/registry (\S+) seeded with (.*)/);
      expect(registryUrl?.[2]).toContain("@buntime/plugin-router@0.1.0");
      const packument = await (await fetch(`${registryUrl?.[1]}@buntime%2fplugin-router`)).json();
      expect(Object.keys(packument.versions)).toContain("0.1.0");
      expect(packument.versions["0.1.0"].buntime.base).toBe("/");
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
