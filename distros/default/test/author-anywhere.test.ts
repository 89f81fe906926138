/**
 * Authoring a plugin anywhere: in a temp folder outside the checkout, on a PATH with Node and a
 * `buntime` command but no bun, a plugin made by `buntime plugin create` against the registry
 * `npm start` runs passes its README's commands exactly as written: npm install (@buntime/* from
 * that registry), npm test, pack, login, publish. And bun installs the same packages from it.
 * Needs the public npm registry for everything not @buntime/* (hono, zod, bun, ...).
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { firstShellBlockCommands } from "@buntime/test-kit/docs";
import { tempDir } from "@buntime/test-kit/fixtures";
import { type SeededRegistry, startSeededRegistry } from "../src/index.ts";

const REPO = resolve(import.meta.dir, "../../..");
const CLI = join(REPO, "kernel/cli/bin/buntime.ts");
let registry: SeededRegistry;
let bin: string;
let settings: string;

let shared: string;

beforeAll(async () => {
  // made outside a test, so removed in afterAll rather than by tempDir's per-test cleanup
  shared = mkdtempSync(join(tmpdir(), "buntime-author-"));
  registry = await startSeededRegistry(join(shared, "home"), 0);
  // a machine with the buntime CLI and Node only: `buntime` is the checkout's CLI, bun is not on PATH
  bin = join(shared, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "buntime"), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, "buntime"), 0o755);
  settings = join(shared, "cli");
});
afterAll(async () => {
  await registry.stop();
  rmSync(shared, { recursive: true, force: true });
});

/** Runs one shell line in `cwd` as a user would, with the environment of a machine without bun. */
async function sh(line: string, cwd: string) {
  const child = Bun.spawn(["/bin/sh", "-c", line], {
    cwd,
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: process.env.HOME ?? shared,
      USER: "author",
      BUNTIME_CLI_DIR: settings,
      BUNTIME_REGISTRY_PASSWORD: "author-secret-pw",
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr };
}

describe("a plugin authored outside the checkout", () => {
  it("the seeded registry holds the author packages: the sdk, the kernel and the CLI with what it needs", async () => {
    for (const name of ["sdk", "kernel", "keyval", "supply", "distro", "cli"]) {
      expect(registry.seeded).toContain(`@buntime/${name}@0.1.0`);
    }
    const packument = await (await fetch(`${registry.url}@buntime%2fkernel`)).json();
    expect(Object.keys(packument.versions)).toEqual(["0.1.0"]);
  });

  it("runs the scaffold's README commands exactly as written: install, test, pack, login, publish", async () => {
    const work = tempDir();
    expect(work.startsWith(REPO)).toBe(false);
    const created = await sh(`buntime plugin create hello --registry ${registry.url}`, work);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const plugin = join(work, "hello");
    const commands = firstShellBlockCommands(readFileSync(join(plugin, "README.md"), "utf8"));
    expect(commands.map((line) => line.split(" ").slice(0, 3).join(" "))).toEqual([
      "npm install",
      "npm test",
      "buntime plugin pack",
      "buntime login --user",
      "buntime plugin publish",
    ]);
    for (const line of commands) {
      const run = await sh(line, plugin);
      if (run.code !== 0) throw new Error(`${line} failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
    }
    expect(existsSync(join(plugin, "node_modules/@buntime/kernel/src/testing/index.ts"))).toBe(true);
    expect(existsSync(join(plugin, "hello-0.1.0.tgz"))).toBe(true);
    const packument = await (await fetch(`${registry.url}hello`)).json();
    expect(packument["dist-tags"].latest).toBe("0.1.0");
  }, 300_000);

  it("bun installs the same packages from the registry and runs the scaffold's test", async () => {
    const work = tempDir();
    expect((await sh(`buntime plugin create hi --registry ${registry.url}`, work)).code).toBe(0);
    const plugin = join(work, "hi");
    const bun = (args: string) => sh(`"${process.execPath}" ${args}`, plugin);
    const install = await bun("install");
    if (install.code !== 0) throw new Error(`bun install failed:\n${install.stderr}`);
    const sdk = JSON.parse(readFileSync(join(plugin, "node_modules/@buntime/sdk/package.json"), "utf8"));
    expect(sdk.version).toBe("0.1.0");
    const test = await bun("test");
    expect(test.stderr).toContain("1 pass");
    expect(test.code).toBe(0);
  }, 300_000);
});
