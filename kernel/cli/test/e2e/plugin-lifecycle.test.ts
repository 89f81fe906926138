import { afterAll, describe, expect, it } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanUp, cli, liveRegistry, runningKernel, workspace } from "./support.ts";

afterAll(cleanUp);

describe("a plugin's life from scaffold to removal", () => {
  it("is created, tested, published, installed into a running kernel, upgraded, rolled back and removed", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    const reg = ["--registry", registry.url];

    const created = await cli(["plugin", "create", "@e2e/hello"], dir);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const plugin = join(dir, "hello");
    const tested = Bun.spawnSync([process.execPath, "test"], { cwd: plugin, stdout: "pipe", stderr: "pipe" });
    expect(tested.stderr.toString()).toContain("1 pass");
    expect(tested.exitCode).toBe(0);

    const env = { BUNTIME_REGISTRY_PASSWORD: "correct horse battery" };
    expect((await cli(["login", "--user", "ada", ...reg], dir, env)).stdout).toContain("logged in as ada");
    expect((await cli(["whoami", ...reg], dir)).stdout.trim()).toBe("ada");
    expect((await cli(["keys", "generate"], dir)).code).toBe(0);
    expect((await cli(["keys", "register", ...reg], dir)).stdout).toContain("registered SHA256:");
    const published = await cli(["plugin", "publish", plugin, ...reg, "--json"], dir);
    expect(JSON.parse(published.stdout)).toMatchObject({
      name: "@e2e/hello",
      version: "0.1.0",
      tag: "latest",
    });
    expect(JSON.parse(published.stdout).signedBy).toStartWith("SHA256:");
    expect(JSON.parse(published.stdout).warnings).toEqual([]);

    const home = join(dir, "home");
    const kernel = await runningKernel(home, dir);
    const installed = await cli(
      ["plugin", "install", "@e2e/hello", ...reg, "--home", home, "--signatures", "publisher"],
      dir,
    );
    expect(installed.stdout).toContain("+ @e2e/hello@0.1.0, signed by ada");
    expect(installed.stdout).toContain(`loaded into the kernel at ${kernel.url.href}`);
    expect(existsSync(join(home, "plugins", "@e2e", "hello", "0.1.0", "src", "index.ts"))).toBe(true);
    expect(existsSync(join(home, "plugins", "@e2e", "hello", "0.1.0", "test"))).toBe(false);
    const lock = JSON.parse(readFileSync(join(home, "plugins", "lock.json"), "utf8"));
    expect(lock.plugins["@e2e/hello"]).toMatchObject({
      version: "0.1.0",
      integrity: expect.stringMatching(/^sha512-/),
    });
    const first = await fetch(new URL("/hello/there", kernel.url));
    expect(await first.json()).toEqual({ plugin: "@e2e/hello", path: "/hello/there", method: "GET" });

    const pkgPath = join(plugin, "package.json");
    writeFileSync(pkgPath, readFileSync(pkgPath, "utf8").replace('"version": "0.1.0"', '"version": "0.2.0"'));
    const entry = join(plugin, "src", "index.ts");
    writeFileSync(
      entry,
      readFileSync(entry, "utf8").replace("path: context.pathname", "path: context.pathname, v: 2"),
    );
    writeFileSync(join(plugin, "src", "index.js.map"), "{}");
    const second = await cli(["plugin", "publish", plugin, ...reg], dir);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(
      "warning: src/index.js.map is packed: a source map (it carries your source)",
    );

    const listed = JSON.parse((await cli(["plugin", "list", ...reg, "--home", home, "--json"], dir)).stdout);
    expect(listed.plugins).toEqual([
      {
        name: "@e2e/hello",
        version: "0.1.0",
        source: "installed",
        path: join(home, "plugins", "@e2e/hello", "0.1.0"),
        previous: null,
        loaded: true,
        status: "running",
        latest: "0.2.0",
        update: true,
      },
    ]);
    const upgraded = await cli(["plugin", "upgrade", ...reg, "--home", home], dir);
    expect(upgraded.stdout).toContain("+ @e2e/hello@0.2.0 (was 0.1.0)");
    expect(await (await fetch(new URL("/hello/x", kernel.url))).json()).toEqual({
      plugin: "@e2e/hello",
      path: "/hello/x",
      v: 2,
      method: "GET",
    });

    const rolledBack = await cli(["plugin", "rollback", "@e2e/hello", "--home", home], dir);
    expect(rolledBack.stdout).toContain("@e2e/hello: 0.2.0 -> 0.1.0");
    expect(await (await fetch(new URL("/hello/x", kernel.url))).json()).toEqual({
      plugin: "@e2e/hello",
      path: "/hello/x",
      method: "GET",
    });
    expect(
      JSON.parse(readFileSync(join(home, "plugins", "lock.json"), "utf8")).plugins["@e2e/hello"].version,
    ).toBe("0.1.0");

    const removed = await cli(["plugin", "remove", "@e2e/hello", "--home", home], dir);
    expect(removed.stdout).toContain("- @e2e/hello@0.1.0");
    expect((await fetch(new URL("/hello/x", kernel.url))).status).toBe(404);
    expect(existsSync(join(home, "plugins", "@e2e"))).toBe(false);
    expect(JSON.parse(readFileSync(join(home, "plugins", "lock.json"), "utf8")).plugins).toEqual({});

    writeFileSync(
      pkgPath,
      readFileSync(pkgPath, "utf8").replace('"version": "0.2.0"', '"version": "0.3.0-beta.1"'),
    );
    const untagged = await cli(["plugin", "publish", plugin, ...reg], dir);
    expect(untagged.stderr).toContain(
      "@e2e/hello@0.3.0-beta.1: a prerelease does not become latest at publish; publish it with --tag <tag> (next, beta) [BUNTIME_ERR_REGISTRY_PRERELEASE_LATEST]",
    );
    expect(untagged.code).toBe(1);
    expect((await cli(["plugin", "publish", plugin, ...reg, "--tag", "next"], dir)).code).toBe(0);
    const tags = await (await fetch(new URL("/-/package/@e2e%2fhello/dist-tags", registry.url))).json();
    expect(tags).toEqual({ latest: "0.2.0", next: "0.3.0-beta.1" });
  }, 60_000);
});
