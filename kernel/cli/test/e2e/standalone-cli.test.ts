/**
 * The `buntime` CLI without the repository: on a PATH with Node and npm but no Bun, in temp
 * folders outside the checkout, the real npm installs `@buntime/cli` from a registry holding the
 * Buntime packages (as `npm start`'s registry does; everything else from the usual npm registry,
 * so this needs it, as a user's machine does), globally into a prefix and through npx. The
 * installed command (on the Bun npm installs as its peer dependency) reports its version and
 * runs `buntime plugin create x && cd x && …` as docs/cli.md says.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { RunningRegistry } from "@buntime/registry-server";
import { packPackage } from "@buntime/supply";
import { firstShellBlockCommands } from "@buntime/test-kit/docs";
import { cleanUp, liveRegistry } from "./support.ts";

const REPO = resolve(import.meta.dir, "../../../..");
/** What `@buntime/cli` needs from the Buntime registry (the rest comes from npm). */
const PACKAGES = ["@buntime/sdk", "@buntime/supply", "@buntime/kernel", "@buntime/distro", "@buntime/cli"];
/** The user's npm cache, so Bun (a dependency of the CLI) is downloaded once, not on every run. */
const NPM_CACHE = (
  await new Response(Bun.spawn(["npm", "config", "get", "cache"], { stdout: "pipe" }).stdout).text()
).trim();

let shared: string;
let registry: RunningRegistry;

beforeAll(async () => {
  shared = mkdtempSync(join(tmpdir(), "buntime-standalone-"));
  registry = await liveRegistry(shared);
  for (const name of PACKAGES) {
    const folder = dirname(Bun.resolveSync(`${name}/package.json`, REPO));
    await registry.publishTarball(packPackage(folder).tarball);
  }
  mkdirSync(join(shared, "home"));
}, 60_000);
afterAll(async () => {
  await cleanUp();
  rmSync(shared, { recursive: true, force: true });
});

/** Runs one shell line in `cwd` as a user on a machine with Node and npm only (no bun on PATH). */
async function sh(line: string, cwd: string, path = "/usr/bin:/bin") {
  const child = Bun.spawn(["/bin/sh", "-c", line], {
    cwd,
    env: {
      PATH: path,
      HOME: join(shared, "home"),
      USER: "author",
      npm_config_cache: NPM_CACHE,
      npm_config_update_notifier: "false",
      npm_config_fund: "false",
      npm_config_audit: "false",
      BUNTIME_REGISTRY_PASSWORD: "author-secret-pw",
      // the machine's trust store, where it has its own (npm reaches the public registry through it)
      ...Object.fromEntries(
        ["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR"].flatMap((name) =>
          process.env[name] ? [[name, process.env[name]]] : [],
        ),
      ),
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

async function ok(line: string, cwd: string, path?: string) {
  const run = await sh(line, cwd, path);
  if (run.code !== 0) throw new Error(`${line} failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
  return run;
}

describe("buntime installed with npm, outside the repository", () => {
  it("installs globally into a prefix, reports its version, and authors a plugin as docs/cli.md says", async () => {
    expect(existsSync("/usr/bin/bun") || existsSync("/bin/bun")).toBe(false);
    const prefix = join(shared, "global");
    await ok(`npm install -g --prefix ${prefix} @buntime/cli --@buntime:registry=${registry.url}`, shared);
    const path = `${prefix}/bin:/usr/bin:/bin`;
    expect((await ok("buntime --version", shared, path)).stdout).toBe("0.1.0\n");
    expect((await ok("buntime -v", shared, path)).stdout).toBe("0.1.0\n");

    // the bin execs Bun: one Ctrl-C to the whole process group reaches the kernel once, and it stops gracefully
    const kernel = Bun.spawn(
      [
        "buntime",
        "start",
        "--port",
        "0",
        "--home",
        join(shared, "kernel-home"),
        "--plugins",
        join(shared, "home"),
      ],
      {
        cwd: shared,
        env: { PATH: path, HOME: join(shared, "home") },
        stdout: "pipe",
        stderr: "pipe",
        detached: true,
      },
    );
    const reader = kernel.stdout.getReader();
    let printed = "";
    while (!printed.includes("listening on")) {
      const { value, done } = await reader.read();
      if (done) break;
      printed += new TextDecoder().decode(value);
    }
    expect(printed).toContain("listening on");
    process.kill(-kernel.pid, "SIGINT");
    expect(await kernel.exited).toBe(0);

    const work = join(shared, "work");
    mkdirSync(work);
    expect(work.startsWith(REPO)).toBe(false);
    await ok(`buntime plugin create x --registry ${registry.url}`, work, path);
    const plugin = join(work, "x");
    for (const line of firstShellBlockCommands(readFileSync(join(plugin, "README.md"), "utf8")))
      await ok(line, plugin, path);
    expect(existsSync(join(plugin, "x-0.1.0.tgz"))).toBe(true);
    const packument = await (await fetch(`${registry.url}x`)).json();
    expect(packument["dist-tags"].latest).toBe("0.1.0");

    // first contact: inside the plugin folder there is no home, and the CLI says so instead of listing nothing
    const listed = await sh("buntime plugin list --offline", plugin, path);
    expect(listed.stderr).toContain("no Buntime home at");
    expect(listed.stderr).toContain("BUNTIME_ERR_CLI_NO_HOME");
    expect(listed.code).toBe(1);
  }, 600_000);

  it("runs through npx as docs/getting-started.md says, and with the scope's registry in .npmrc", async () => {
    // an earlier run's npx install of @buntime/cli would be reused as it is: start from none
    const npx = join(NPM_CACHE, "_npx");
    for (const entry of existsSync(npx) ? readdirSync(npx) : []) {
      const manifest = join(npx, entry, "package.json");
      if (existsSync(manifest) && readFileSync(manifest, "utf8").includes('"@buntime/cli"'))
        rmSync(join(npx, entry), { recursive: true, force: true });
    }
    const work = join(shared, "npx");
    mkdirSync(work);
    const run = await ok(`npx --@buntime:registry=${registry.url} -p @buntime/cli buntime --version`, work);
    expect(run.stdout).toBe("0.1.0\n");
    writeFileSync(join(work, ".npmrc"), `@buntime:registry=${registry.url}\n`);
    const help = await ok("npx -p @buntime/cli buntime plugin --help", work);
    expect(help.stdout).toStartWith("Usage: buntime plugin <command>");
  }, 600_000);

  it("runs on Bun's platform package when install scripts were off, and says so when there is no Bun at all", async () => {
    const prefix = join(shared, "no-scripts");
    await ok(
      `npm install -g --ignore-scripts --prefix ${prefix} @buntime/cli --@buntime:registry=${registry.url}`,
      shared,
    );
    expect((await ok("buntime --version", shared, `${prefix}/bin:/usr/bin:/bin`)).stdout).toBe("0.1.0\n");

    // the launcher alone, with no bun package beside it and none on the PATH
    const bare = join(shared, "bare", "bin");
    mkdirSync(bare, { recursive: true });
    writeFileSync(join(bare, "buntime"), readFileSync(join(REPO, "kernel/cli/bin/buntime")), { mode: 0o755 });
    const run = await sh(`${join(bare, "buntime")} --version`, shared);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `buntime: cannot run Bun (bun): no bun beside @buntime/cli in ${join(shared, "bare")} and none on the PATH [BUNTIME_ERR_CLI_NO_BUN]`,
    );
  }, 600_000);
});
