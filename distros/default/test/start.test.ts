import { describe, expect, it } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startDefaultDistribution } from "@buntime/test-kit/distribution";
import { tempDir } from "@buntime/test-kit/fixtures";
import { untilListening } from "@buntime/test-kit/listening";
import { DEFAULT_MANIFEST, FIRST_PARTY_PLUGINS } from "../src/index.ts";

describe("the default distribution (npm start)", () => {
  it("serves an app dropped into <home>/apps on a bare home, with the first-party plugins", async () => {
    const home = tempDir();
    mkdirSync(join(home, "apps", "hello"), { recursive: true });
    writeFileSync(
      join(home, "apps", "hello", "index.ts"),
      `export default { fetch: (req) => new Response("app saw " + new URL(req.url).pathname) };`,
    );
    const child = startDefaultDistribution(home);
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
  }, 60_000);

  it("runs a registry beside the kernel, seeded with the first-party plugins", async () => {
    const home = tempDir();
    const child = startDefaultDistribution(home);
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
  }, 60_000);
});

describe("the default distribution's plugins come through a lock and a build", () => {
  it("locks buntime.distro.json against the seeded registry and runs the verified build, not the repo's folders", async () => {
    const home = tempDir();
    const child = startDefaultDistribution(home);
    try {
      const { url } = await untilListening(child.stdout);
      const manifest = JSON.parse(readFileSync(DEFAULT_MANIFEST, "utf8"));
      expect(Object.keys(manifest.plugins).sort()).toEqual([...FIRST_PARTY_PLUGINS].sort());
      const lock = JSON.parse(readFileSync(join(home, "distro", "distro.lock.json"), "utf8"));
      for (const name of FIRST_PARTY_PLUGINS) {
        expect(lock.plugins[name]).toMatchObject({
          version: "0.1.0",
          integrity: expect.stringMatching(/^sha512-/),
          signature: { keyid: lock.registryKeys[0].keyid },
        });
        expect(existsSync(join(home, "distro", "build", "plugins", name, "0.1.0", "package.json"))).toBe(
          true,
        );
      }
      expect((await fetch(new URL("/_/api/health", url))).status).toBe(200);
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  }, 60_000);

  it("refuses to start when a file of the built plugins was changed, naming the package and the file", async () => {
    const home = tempDir();
    const first = startDefaultDistribution(home);
    await untilListening(first.stdout);
    first.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const file = join(
      home,
      "distro",
      "build",
      "plugins",
      "@buntime",
      "plugin-router",
      "0.1.0",
      "package.json",
    );
    writeFileSync(file, readFileSync(file, "utf8").replace("0.1.0", "0.1.0 "));
    const second = startDefaultDistribution(home);
    const [stdout, stderr, code] = await Promise.all([
      new Response(second.stdout).text(),
      new Response(second.stderr).text(),
      second.exited,
    ]);
    expect(code).toBe(1);
    expect(stdout).not.toContain("listening");
    expect(stderr).toContain(
      "@buntime/plugin-router@0.1.0: plugins/@buntime/plugin-router/0.1.0/package.json differs from the locked tarball",
    );
  }, 60_000);
});
