/**
 * Bench: `buntime plugin install auth` from a loopback registry into a running kernel, wall
 * time from the command's start to the plugin answering at its base. Target: <= 1 s.
 *
 * Seeds the registry with the first-party plugins/auth when it packs, else with a stand-in
 * `@buntime/plugin-auth`; starts `buntime start` on a fresh home; then, RUNS times, installs,
 * polls `/auth/login` (the sign-in page; the stand-in answers any path) until it stops
 * answering 404, and removes it again.
 *
 *   npx bun kernel/cli/bench/install.ts [runs=5]
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { startRegistry } from "@buntime/registry-server";
import { packPlugin } from "@buntime/supply";
import { silentLogger } from "@buntime/test-kit/logger";

const REPO = join(import.meta.dir, "..", "..", "..");
const CLI = join(import.meta.dir, "..", "bin", "buntime.ts");
const RUNS = Number(process.argv[2] ?? 5);

const dir = mkdtempSync(join(tmpdir(), "buntime-bench-install-"));
// installed plugins resolve their imports (@buntime/sdk, hono, …) through this link
symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
const registry = await startRegistry({
  port: 0,
  storageDir: join(dir, "registry"),
  logger: silentLogger("registry"),
});

function standIn(): string {
  const folder = join(dir, "stand-in-auth");
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, "package.json"),
    JSON.stringify({
      name: "@buntime/plugin-auth",
      version: "0.1.0",
      type: "module",
      main: "index.ts",
      buntime: { kernel: "^0.1.0", base: "/auth" },
    }),
  );
  writeFileSync(
    join(folder, "index.ts"),
    `export default { setup: () => ({ fetch: () => new Response("auth") }) };\n`,
  );
  return folder;
}

let source = "plugins/auth";
try {
  await registry.publishTarball(
    packPlugin(dirname(Bun.resolveSync("@buntime/plugin-auth/package.json", import.meta.dir))).tarball,
  );
} catch (error) {
  source = `a stand-in (plugins/auth did not pack: ${error instanceof Error ? error.message : error})`;
  await registry.publishTarball(packPlugin(standIn()).tarball);
}

const home = join(dir, "home");
// an empty lockfile: the kernel starts with no plugin instead of the default distribution
mkdirSync(join(home, "plugins"), { recursive: true });
writeFileSync(join(home, "plugins", "lock.json"), JSON.stringify({ lockfileVersion: 1, plugins: {} }));
const env = { PATH: process.env.PATH ?? "", HOME: dir, BUNTIME_CLI_DIR: join(dir, "cli") };
const kernel = Bun.spawn(
  [process.execPath, CLI, "start", "--port", "0", "--hostname", "127.0.0.1", "--home", home],
  {
    cwd: dir,
    stdout: "pipe",
    stderr: "ignore",
    env,
  },
);
const reader = kernel.stdout.getReader();
let announced = "";
let url: URL | undefined;
for (const deadline = Date.now() + 15_000; !url && Date.now() < deadline; ) {
  const { value, done } = await reader.read();
  if (done) break;
  announced += new TextDecoder().decode(value);
  const match = announced.match(/listening on (\S+)/);
  if (match?.[1]) url = new URL(match[1]);
}
if (!url) throw new Error(`the kernel did not start: ${announced}`);

async function run(args: string[]): Promise<number> {
  const child = Bun.spawn([process.execPath, CLI, ...args], {
    cwd: dir,
    stdout: "ignore",
    stderr: "pipe",
    env,
  });
  const code = await child.exited;
  if (code !== 0)
    throw new Error(`buntime ${args.join(" ")} failed: ${await new Response(child.stderr).text()}`);
  return code;
}

const times: number[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run(["plugin", "install", "auth", "--registry", registry.url, "--home", home]);
    let answered = false;
    for (const deadline = Date.now() + 5_000; !answered && Date.now() < deadline; ) {
      answered = (await fetch(new URL("/auth/login", url))).status !== 404;
    }
    if (!answered) throw new Error("the plugin never answered at /auth/login");
    times.push(performance.now() - started);
    await run(["plugin", "remove", "auth", "--home", home]);
  }
} finally {
  kernel.kill("SIGTERM");
  await kernel.exited;
  await registry.stop();
  rmSync(dir, { recursive: true, force: true });
}

const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
console.log(`plugin install auth (${source}) into a running kernel, ${RUNS} runs`);
console.log(
  `wall time to answering: median ${median.toFixed(0)} ms, min ${sorted[0]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms (target <= 1000 ms)`,
);
