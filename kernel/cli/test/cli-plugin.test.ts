import { afterAll, describe, expect, it } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = join(import.meta.dir, "..", "bin", "buntime.ts");
const dir = mkdtempSync(join(tmpdir(), "buntime-cli-plugin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function buntime(args: string[], cwd = dir) {
  const child = Bun.spawn([process.execPath, CLI, ...args], {
    cwd,
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
    env: { PATH: process.env.PATH ?? "", HOME: cwd, BUNTIME_CLI_DIR: join(cwd, "cli-settings") },
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { stdout, stderr, code };
}

const COMMANDS = [
  ["plugin", "create"],
  ["plugin", "pack"],
  ["plugin", "publish"],
  ["plugin", "install"],
  ["plugin", "list"],
  ["plugin", "info"],
  ["plugin", "search"],
  ["plugin", "upgrade"],
  ["plugin", "remove"],
  ["plugin", "rollback"],
  ["login"],
  ["whoami"],
  ["keys"],
  ["registry"],
];

describe("buntime CLI for plugins", () => {
  it.each(COMMANDS)("prints help for %s %s and exits 0", async (...command) => {
    const run = await buntime([...command.filter(Boolean), "--help"]);
    expect(run.stdout).toStartWith(`Usage: buntime ${command.filter(Boolean).join(" ")}`);
    expect(run.code).toBe(0);
  });

  it("exits 2 with a cause and a hint on an unknown flag", async () => {
    const run = await buntime(["plugin", "install", "auth", "--frobnicate"]);
    expect(run.stderr).toContain("Unknown option '--frobnicate'");
    expect(run.stderr).toContain("hint: run the command with --help");
    expect(run.code).toBe(2);
  });

  it("suggests the closest plugin subcommand", async () => {
    const run = await buntime(["plugin", "instal"]);
    expect(run.stderr).toContain("unknown command 'instal'");
    expect(run.stderr).toContain("did you mean 'install'?");
    expect(run.code).toBe(2);
  });

  it("scaffolds a plugin, refuses to scaffold over a folder that is not empty, and packs it the same twice", async () => {
    const created = await buntime(["plugin", "create", "greeter", "--json"]);
    expect(JSON.parse(created.stdout).files).toEqual([
      ".npmrc",
      "README.md",
      "package.json",
      "src/index.ts",
      "test/plugin.test.ts",
    ]);
    const again = await buntime(["plugin", "create", "greeter"]);
    expect(again.stderr).toContain("exists and is not empty");
    expect(again.code).toBe(2);

    const plugin = join(dir, "greeter");
    const first = JSON.parse((await buntime(["plugin", "pack", "--json"], plugin)).stdout);
    const bytes = readFileSync(first.path);
    const second = JSON.parse((await buntime(["plugin", "pack", "--json"], plugin)).stdout);
    expect(second.integrity).toBe(first.integrity);
    expect(readFileSync(second.path).equals(bytes)).toBe(true);
    expect(first.files).toEqual(["README.md", "package.json", "src/index.ts"]);
  }, 20_000);

  it("takes @buntime/* from the given registry in .npmrc, and refuses a registry that is not an http(s) URL", async () => {
    const created = await buntime(["plugin", "create", "scoped", "--registry", "http://127.0.0.1:4999"]);
    expect(created.code).toBe(0);
    expect(readFileSync(join(dir, "scoped", ".npmrc"), "utf8")).toBe(
      "@buntime:registry=http://127.0.0.1:4999/\n",
    );
    expect(readFileSync(join(dir, "scoped", "README.md"), "utf8")).toContain(
      "buntime plugin publish --registry http://127.0.0.1:4999/",
    );
    for (const bad of ["file:///etc/", "http://a/\nalways-auth=true", "not a url"]) {
      const run = await buntime(["plugin", "create", "bad", "--registry", bad]);
      expect(run.stderr).toContain("is not an http(s) URL");
      expect(run.code).toBe(2);
      expect(existsSync(join(dir, "bad"))).toBe(false);
    }
  });

  it("refuses to pack or publish a plugin with npm dependencies the kernel does not lend, naming them", async () => {
    await buntime(["plugin", "create", "needy"]);
    const plugin = join(dir, "needy");
    const pkg = JSON.parse(readFileSync(join(plugin, "package.json"), "utf8"));
    const needy = { ...pkg, dependencies: { hono: "4.13.19", jose: "6.2.19", "left-pad": "1.3.0" } };
    writeFileSync(join(plugin, "package.json"), JSON.stringify(needy));
    const packed = await buntime(["plugin", "pack"], plugin);
    expect(packed.code).toBe(1);
    expect(packed.stderr).toContain(
      `${plugin}: needy@0.1.0 depends on jose, left-pad, which the kernel does not lend (@buntime/sdk, hono, zod, semver, lru-cache); list it under bundleDependencies (packed from node_modules) or bundle it into the plugin's code`,
    );
    expect(packed.stderr).toContain("BUNTIME_ERR_PACK_DEPENDENCY_NOT_LENT");
    expect(existsSync(join(plugin, "needy-0.1.0.tgz"))).toBe(false);
    // refused before anything is sent: the registry named is not even listening
    const published = await buntime(["plugin", "publish", "--registry", "http://127.0.0.1:9/"], plugin);
    expect(published.stderr).toContain("depends on jose, left-pad, which the kernel does not lend");
    expect(published.stderr).not.toContain("unreachable");
    expect(published.code).toBe(1);
    // a required peer counts too; an optional one, or a bundled one under devDependencies, does not
    const peer = { ...pkg, peerDependencies: { "@buntime/sdk": "*", jose: "6" } };
    writeFileSync(join(plugin, "package.json"), JSON.stringify(peer));
    expect((await buntime(["plugin", "pack"], plugin)).stderr).toContain("depends on jose,");
    const bundled = {
      ...peer,
      peerDependenciesMeta: { jose: { optional: true } },
      devDependencies: { ...pkg.devDependencies, "left-pad": "1.3.0" },
    };
    writeFileSync(join(plugin, "package.json"), JSON.stringify(bundled));
    expect((await buntime(["plugin", "pack"], plugin)).code).toBe(0);
  }, 20_000);

  it("warns on stderr and in --json about packed files that look like secrets or are source maps", async () => {
    await buntime(["plugin", "create", "leaky"]);
    const plugin = join(dir, "leaky");
    for (const name of [".env.local", "server.pem", "index.js.map", "id_rsa"])
      writeFileSync(join(plugin, "src", name), "x");
    const human = await buntime(["plugin", "pack"], plugin);
    expect(human.code).toBe(0);
    expect(human.stderr).toContain(
      "warning: src/.env.local is packed: an environment file (often holds secrets)",
    );
    expect(human.stderr).toContain("warning: src/server.pem is packed: a PEM key or certificate");
    expect(human.stderr).toContain("warning: src/id_rsa is packed: an SSH key");
    expect(human.stderr).toContain("warning: src/index.js.map is packed: a source map");
    const json = await buntime(["plugin", "pack", "--json"], plugin);
    expect(JSON.parse(json.stdout).warnings).toEqual([
      "src/.env.local is packed: an environment file (often holds secrets)",
      "src/id_rsa is packed: an SSH key",
      "src/index.js.map is packed: a source map (it carries your source)",
      "src/server.pem is packed: a PEM key or certificate",
    ]);
    writeFileSync(join(plugin, "src", ".npmignore"), ".env*\n*.pem\n*.map\nid_rsa\n");
    const clean = JSON.parse((await buntime(["plugin", "pack", "--json"], plugin)).stdout);
    expect(clean.warnings).toEqual([]);
    expect(clean.files).toEqual(["README.md", "package.json", "src/index.ts"]);
  }, 20_000);

  it("refuses to pack a plugin whose manifest is invalid", async () => {
    const bad = join(dir, "bad");
    mkdirSync(bad);
    writeFileSync(join(bad, "package.json"), JSON.stringify({ name: "bad", version: "1.0.0", buntime: {} }));
    const run = await buntime(["plugin", "pack", bad]);
    expect(run.stderr).toContain("invalid plugin manifest: buntime.kernel");
    expect(run.stderr).toContain("[BUNTIME_ERR_MANIFEST_INVALID]");
    expect(run.code).toBe(1);
  });

  it("says whoami needs a login", async () => {
    const run = await buntime(["whoami", "--registry", "http://127.0.0.1:9/"]);
    expect(run.stderr).toContain("not logged in to http://127.0.0.1:9/ [BUNTIME_ERR_CLIENT_NOT_LOGGED_IN]");
    expect(run.stderr).toContain("hint: sign in first: buntime login --user <name>");
    expect(run.code).toBe(1);
  });

  it("lists an empty home offline, and refuses a home that does not exist", async () => {
    mkdirSync(join(dir, "empty-home"));
    const run = await buntime(["plugin", "list", "--offline", "--home", join(dir, "empty-home"), "--json"]);
    expect(JSON.parse(run.stdout)).toEqual({ home: join(dir, "empty-home"), kernel: null, plugins: [] });
    expect(run.code).toBe(0);
    const missing = await buntime(["plugin", "list", "--offline", "--home", join(dir, "no-home")]);
    expect(missing.stderr).toContain(`no Buntime home at ${join(dir, "no-home")}`);
    expect(missing.code).toBe(1);
  });
});

describe("buntime registry start", () => {
  it("serves a registry until SIGTERM, then exits 0", async () => {
    const child = Bun.spawn(
      [process.execPath, CLI, "registry", "start", "--port", "0", "--storage", join(dir, "registry")],
      { cwd: dir, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "", HOME: dir } },
    );
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    try {
      const reader = child.stdout.getReader();
      let seen = "";
      let url: string | undefined;
      for (let reads = 0; !url && reads < 100; reads++) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += new TextDecoder().decode(value);
        url = seen.match(/listening on (\S+)/)?.[1];
      }
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const keys = await (await fetch(new URL("-/npm/v1/keys", url))).json();
      expect(keys.keys[0].keytype).toBe("ecdsa-sha2-nistp256");
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
    } finally {
      clearTimeout(timer);
      child.kill("SIGKILL");
    }
  }, 20_000);
});
