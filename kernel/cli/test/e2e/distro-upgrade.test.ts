import { afterAll, describe, expect, it } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { untilListening } from "@buntime/test-kit/listening";
import {
  cleanUp,
  cli,
  liveRegistry,
  runningKernel,
  seed,
  spawnCli,
  workspace,
  writePlugin,
} from "./support.ts";

afterAll(cleanUp);

const lockOf = (folder: string) => JSON.parse(readFileSync(join(folder, "distro.lock.json"), "utf8"));

describe("buntime distro outdated, upgrade and export", () => {
  it("shows current, wanted and latest with permission changes, plans an upgrade of one plugin, then makes it", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    await seed(registry, writePlugin(dir, { name: "@acme/cache", version: "1.0.0" }));
    await seed(registry, writePlugin(dir, { name: "@acme/web", version: "1.0.0" }));
    const folder = join(dir, "edge");
    mkdirSync(folder);
    const manifest = {
      name: "edge",
      version: "1.0.0",
      registry: registry.url,
      plugins: { "@acme/cache": "^1", "@acme/web": "^1" },
    };
    writeFileSync(join(folder, "buntime.distro.json"), JSON.stringify(manifest));
    expect((await cli(["distro", "lock"], folder)).code).toBe(0);
    await seed(
      registry,
      writePlugin(dir, { name: "@acme/cache", version: "1.1.0", permissions: { env: ["CACHE_TOKEN"] } }),
    );
    await seed(
      registry,
      writePlugin(dir, { name: "@acme/cache", version: "2.0.0", permissions: { storage: true } }),
    );
    await seed(registry, writePlugin(dir, { name: "@acme/web", version: "1.1.0" }));

    const outdated = await cli(["distro", "outdated"], folder);
    expect(outdated.code).toBe(0);
    const lines = outdated.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^plugin\s+current\s+wanted\s+latest\s+permissions$/);
    expect(lines[1]).toMatch(/^@acme\/cache\s+1\.0\.0\s+1\.1\.0\s+2\.0\.0\s+\+storage$/);
    expect(lines[2]).toMatch(/^@acme\/web\s+1\.0\.0\s+1\.1\.0\s+1\.1\.0$/);

    const before = readFileSync(join(folder, "distro.lock.json"), "utf8");
    const plan = await cli(["distro", "upgrade", "@acme/cache", "--plan"], folder);
    expect(plan.stdout).toBe(
      "would change (nothing written):\n  @acme/cache 1.0.0 → 1.1.0  permissions: +env CACHE_TOKEN\n",
    );
    expect(readFileSync(join(folder, "distro.lock.json"), "utf8")).toBe(before);

    const upgraded = await cli(["distro", "upgrade", "@acme/cache"], folder);
    expect(upgraded.code).toBe(0);
    expect(lockOf(folder).plugins["@acme/cache"].version).toBe("1.1.0");
    expect(lockOf(folder).plugins["@acme/web"].version).toBe("1.0.0");
    // kept at its locked version, it is still wanted by the manifest only
    expect(lockOf(folder).plugins["@acme/web"].wantedBy).toEqual(["buntime.distro.json"]);
    const all = await cli(["distro", "upgrade", "--json"], folder);
    expect(JSON.parse(all.stdout).changes).toEqual([
      { name: "@acme/web", from: "1.0.0", to: "1.1.0", permissions: { added: [], removed: [] } },
    ]);
  }, 60_000);

  it("exports what a running kernel serves into a manifest that locks and builds into the same plugins", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    await seed(registry, writePlugin(dir, { name: "@acme/hello", version: "1.0.0" }));
    await seed(
      registry,
      writePlugin(dir, { name: "@acme/web", version: "2.1.0", deps: { "@acme/hello": "^1" } }),
    );
    const home = join(dir, "home");
    const kernel = await runningKernel(home, dir);
    expect(
      (await cli(["plugin", "install", "@acme/web", "--registry", registry.url, "--home", home], dir)).code,
    ).toBe(0);
    const served = async (url: URL) =>
      (
        (await (await fetch(new URL("/_/api/plugins", url))).json()) as {
          plugins: { name: string; version: string }[];
        }
      ).plugins
        .map((p) => `${p.name}@${p.version}`)
        .sort();
    const original = await served(kernel.url);
    expect(original).toEqual(["@acme/hello@1.0.0", "@acme/web@2.1.0"]);

    const folder = join(dir, "copy");
    mkdirSync(folder);
    const exported = await cli(
      ["distro", "export", "--home", home, "--registry", registry.url, "--name", "copy"],
      folder,
    );
    expect(exported.stdout).toContain(`with 2 plugins from the kernel at ${kernel.url.href}`);
    expect(JSON.parse(readFileSync(join(folder, "buntime.distro.json"), "utf8")).plugins).toEqual({
      "@acme/hello": "1.0.0",
      "@acme/web": "2.1.0",
    });
    await kernel.stop();
    expect((await cli(["distro", "lock"], folder)).code).toBe(0);
    expect((await cli(["distro", "build", "--without-runner"], folder)).code).toBe(0);
    const child = spawnCli(["distro", "start", join(folder, "build"), "--port", "0"], folder);
    try {
      const { url } = await untilListening(child.stdout);
      // the same plugins, and the build's provenance at /.well-known/buntime
      expect(await served(url)).toEqual([...original, "@buntime/provenance@1.0.0"].sort());
    } finally {
      child.kill("SIGTERM");
      await child.exited;
    }
  }, 60_000);
});
