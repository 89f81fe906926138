/**
 * Helpers for the end-to-end suites: a temporary workspace that sees the repository's packages
 * (so installed plugins resolve `@buntime/sdk`), a live registry on a free loopback port, the real CLI and kernel as
 * subprocesses, and snapshots of a home's tree to prove a failure left it unchanged.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type RunningRegistry, startRegistry } from "@buntime/registry-server";
import { packPlugin } from "@buntime/supply";
import { untilListening } from "@buntime/test-kit/listening";
import { silentLogger } from "@buntime/test-kit/logger";

const REPO = join(import.meta.dir, "..", "..", "..", "..");
const CLI = join(import.meta.dir, "..", "..", "bin", "buntime.ts");

const cleanups: (() => unknown)[] = [];

/**
 * Stops the registries and kernels and removes the workspaces made so far. Every test file
 * registers it with `afterAll(cleanUp)`: a hook registered here would belong to whichever
 * file imported this module first.
 */
export async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

/**
 * A fresh temporary folder whose `node_modules` links to the repository's, so plugins
 * installed or scaffolded in it resolve `@buntime/sdk`; removed by {@link cleanUp}.
 */
export function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "buntime-e2e-"));
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts a registry on 127.0.0.1 with a free port, stopped after the file's tests. */
export async function liveRegistry(dir: string): Promise<RunningRegistry> {
  const registry = await startRegistry({
    port: 0,
    storageDir: join(dir, "registry"),
    logger: silentLogger("registry"),
  });
  cleanups.push(() => registry.stop());
  return registry;
}

/** A plugin to publish in a test: its name, version, kernel range, plugin dependencies and entry source. */
export interface PluginFixture {
  name: string;
  version: string;
  kernel?: string;
  deps?: Record<string, string>;
  entry?: string;
  permissions?: { network?: string[]; env?: string[]; storage?: boolean };
  provides?: string[];
}

/** Writes a plugin folder: package.json with its manifest and an entry answering `name@version` at its base. */
export function writePlugin(dir: string, options: PluginFixture): string {
  const folder = join(dir, "src-plugins", `${options.name.replace("/", "__")}-${options.version}`);
  mkdirSync(folder, { recursive: true });
  const base = `/${options.name.replace(/^@[^/]+\//, "")}`;
  writeFileSync(
    join(folder, "package.json"),
    JSON.stringify({
      name: options.name,
      version: options.version,
      type: "module",
      main: "index.ts",
      buntime: {
        kernel: options.kernel ?? "^0.1.0",
        base,
        dependencies: options.deps ?? {},
        ...(options.permissions ? { permissions: options.permissions } : {}),
        ...(options.provides ? { provides: options.provides } : {}),
      },
    }),
  );
  writeFileSync(
    join(folder, "index.ts"),
    options.entry ??
      `export default { setup: () => ({ fetch: () => new Response(${JSON.stringify(`${options.name}@${options.version}`)}) }) };\n`,
  );
  return folder;
}

/** Packs a plugin folder and publishes it from inside the test process. */
export async function seed(registry: RunningRegistry, folder: string): Promise<void> {
  await registry.publishTarball(packPlugin(folder).tarball);
}

/** The outcome of one CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as another user (root only: to meet a real permission denied). */
export async function cliAs(uid: number, args: string[], cwd: string): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    uid,
    gid: uid,
    timeout: 20_000,
    // that user's own settings (a folder it cannot create: it reads none and caches nothing)
    env: { PATH: process.env.PATH ?? "", HOME: tmpdir(), BUNTIME_CLI_DIR: join(cwd, `cli-settings-${uid}`) },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const code = await new Promise<number>((resolve) => child.on("close", (status) => resolve(status ?? -1)));
  return { code, stdout, stderr };
}

/** Starts the real `buntime` CLI in a subprocess (settings in `<cwd>/cli-settings`) and hands back the process. */
export function spawnCli(args: string[], cwd: string) {
  return Bun.spawn([process.execPath, CLI, ...args], {
    cwd,
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
    env: { PATH: process.env.PATH ?? "", HOME: cwd, BUNTIME_CLI_DIR: join(cwd, "cli-settings") },
  });
}

/** Runs the real `buntime` CLI in a subprocess with its settings in `<cwd>/cli-settings`. */
export async function cli(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  stdin?: string,
): Promise<CliRun> {
  const child = Bun.spawn([process.execPath, CLI, ...args], {
    cwd,
    stdout: "pipe",
    stderr: "pipe",
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    env: { PATH: process.env.PATH ?? "", HOME: cwd, BUNTIME_CLI_DIR: join(cwd, "cli-settings"), ...env },
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

function emptyFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "buntime-no-plugins-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Starts `buntime start` on `home` in a subprocess (with `env` besides PATH and HOME) and
 * resolves once it listens; stopped after the file's tests. `plugins` is its `--plugins`
 * folder: by default an empty one, so only what the home installs runs, not the default
 * distribution.
 */
export async function runningKernel(
  home: string,
  cwd: string,
  env: Record<string, string> = {},
  plugins = emptyFolder(),
): Promise<{ url: URL; stop(): Promise<void> }> {
  const child = Bun.spawn(
    [
      process.execPath,
      CLI,
      "start",
      "--port",
      "0",
      "--hostname",
      "127.0.0.1",
      "--home",
      home,
      "--plugins",
      plugins,
    ],
    { cwd, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env } },
  );
  const stop = async () => {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await child.exited;
    clearTimeout(timer);
  };
  cleanups.push(stop);
  try {
    return { url: (await untilListening(child.stdout)).url, stop };
  } catch (error) {
    throw new Error(`the kernel did not start: ${error}${await new Response(child.stderr).text()}`);
  }
}

/** Every path under `dir` with a hash of its bytes (`dir` for folders), to compare a tree before and after. */
export function snapshot(dir: string): Record<string, string> {
  const tree: Record<string, string> = {};
  if (!existsSync(dir)) return tree;
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) {
        tree[path] = `link to ${readlinkSync(join(dir, path))}`;
      } else if (entry.isDirectory()) {
        tree[path] = "dir";
        walk(path);
      } else {
        tree[path] = createHash("sha256")
          .update(readFileSync(join(dir, path)))
          .digest("hex");
      }
    }
  };
  walk("");
  return tree;
}

/** Writes text to a file, creating its folder. */
export function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/**
 * A folder `edge` holding a `buntime.distro.json` (distribution `edge@<version>`, the one plugin
 * `@acme/hello@^1` from a live registry of its own) locked by `buntime distro lock`.
 */
export async function lockedOnePluginDistro(version = "1.0.0"): Promise<string> {
  const dir = workspace();
  const registry = await liveRegistry(dir);
  await seed(registry, writePlugin(dir, { name: "@acme/hello", version: "1.0.0" }));
  const folder = join(dir, "edge");
  mkdirSync(folder);
  const manifest = { name: "edge", version, registry: registry.url, plugins: { "@acme/hello": "^1" } };
  writeFileSync(join(folder, "buntime.distro.json"), JSON.stringify(manifest));
  const locked = await cli(["distro", "lock"], folder);
  if (locked.code !== 0) throw new Error(`distro lock failed: ${locked.stderr}`);
  return folder;
}
