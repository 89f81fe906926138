/**
 * The first-party plugins that need npm packages the kernel does not lend carry them
 * (`bundleDependencies`): installed from the registry `npm start` runs into a home outside any
 * checkout (no node_modules above it to borrow from), auth installs and the kernel serves its
 * sign-in page, which imports jose and oauth4webapi from the plugin's own folder.
 */
import { afterAll, beforeAll, expect, it } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { untilListening } from "@buntime/test-kit/listening";
import { type SeededRegistry, startSeededRegistry } from "../src/index.ts";

const CLI = resolve(import.meta.dir, "../../../kernel/cli/bin/buntime.ts");
let shared: string;
let registry: SeededRegistry;

beforeAll(async () => {
  shared = mkdtempSync(join(tmpdir(), "buntime-bundled-"));
  registry = await startSeededRegistry(join(shared, "registry-home"), 0);
}, 60_000);
afterAll(async () => {
  await registry.stop();
  rmSync(shared, { recursive: true, force: true });
});

/** Runs the checkout's `buntime` CLI in `cwd`, outside the checkout, with its settings there too. */
async function buntime(args: string[], cwd: string) {
  const child = Bun.spawn([process.execPath, CLI, ...args], {
    cwd,
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "", HOME: cwd, BUNTIME_CLI_DIR: join(cwd, "cli-settings") },
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  return { stdout, stderr, code };
}

it("installs the auth plugin with its bundled dependencies into a bare home, and the kernel serves /auth/login", async () => {
  const home = join(shared, "home");
  const installed = await buntime(
    ["plugin", "install", "auth", "--registry", registry.url, "--home", home],
    shared,
  );
  expect(installed.stderr).not.toContain("BUNTIME_ERR");
  expect(installed.code).toBe(0);
  const folder = join(home, "plugins", "@buntime/plugin-auth", "0.1.0");
  for (const name of ["jose", "oauth4webapi"])
    expect(existsSync(join(folder, "node_modules", name, "package.json"))).toBe(true);

  const noPlugins = mkdtempSync(join(shared, "no-plugins-"));
  const kernel = Bun.spawn(
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
      noPlugins,
    ],
    { cwd: shared, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "", HOME: shared } },
  );
  try {
    const { url } = await untilListening(kernel.stdout);
    const page = await fetch(new URL("/auth/login", url));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('action="/auth/login"');
  } finally {
    kernel.kill("SIGTERM");
    await kernel.exited;
  }
}, 90_000);

it("installs the other first-party plugins that bundle npm packages into a bare home", async () => {
  const home = join(shared, "other-home");
  const installed = await buntime(
    ["plugin", "install", "marketplace", "deployments", "--registry", registry.url, "--home", home],
    shared,
  );
  expect(installed.stderr).not.toContain("BUNTIME_ERR");
  expect(installed.code).toBe(0);
  expect(
    existsSync(join(home, "plugins", "@buntime/plugin-marketplace", "0.1.0", "node_modules", "markdown-it")),
  ).toBe(true);
  expect(
    existsSync(join(home, "plugins", "@buntime/plugin-deployments", "0.1.0", "node_modules", "tar")),
  ).toBe(true);
}, 90_000);
