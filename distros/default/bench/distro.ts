/**
 * Distribution bench: build time of the default distribution from a warm tarball cache,
 * offline; cold start of the built default distribution to ready (the start-time check
 * included), each start split into its phases as its stderr shows them; size of the default vs
 * a minimal (router only) distribution. Runs the real CLI.
 *
 *   bun distros/default/bench/distro.ts
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { untilListening } from "@buntime/test-kit/listening";
import { DEFAULT_MANIFEST, startSeededRegistry } from "../src/index.ts";
import { readStartMarks, type StartMarks, startPhases } from "./start-phases.ts";

const CLI = join(dirname(Bun.resolveSync("@buntime/cli/package.json", import.meta.dir)), "bin", "buntime.ts");
const RUNS = 3;
/** Cold starts measured (each on a fresh home); the median is reported. */
const STARTS = 7;
const root = mkdtempSync(join(tmpdir(), "buntime-distro-bench-"));
const env = { ...process.env, BUNTIME_CLI_DIR: join(root, "cli") };
// `bun` on the PATH for the start script, as a user has it (this may run as npm's bun.exe)
mkdirSync(join(root, "bin"));
symlinkSync(process.execPath, join(root, "bin", "bun"));

async function buntime(args: string[], cwd: string): Promise<number> {
  const started = performance.now();
  const child = Bun.spawn([process.execPath, CLI, ...args], { cwd, env, stdout: "pipe", stderr: "pipe" });
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`buntime ${args.join(" ")}: ${stderr}`);
  return performance.now() - started;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const bytesOf = (dir: string) => Number(Bun.spawnSync(["du", "-sb", dir]).stdout.toString().split("\t")[0]);

try {
  const registry = await startSeededRegistry(join(root, "home"), 0);
  const manifest = await Bun.file(DEFAULT_MANIFEST).json();
  const distros = {
    default: manifest,
    minimal: { ...manifest, name: "minimal", plugins: { "@buntime/plugin-router": "^0.1.0" } },
  };
  for (const [name, content] of Object.entries(distros)) {
    mkdirSync(join(root, name));
    await Bun.write(
      join(root, name, "buntime.distro.json"),
      JSON.stringify({ ...content, registry: registry.url }),
    );
    await buntime(["distro", "lock"], join(root, name));
  }
  const cold = await buntime(["distro", "build"], join(root, "default"));
  await buntime(["distro", "build"], join(root, "minimal"));
  await registry.stop();
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++)
    warm.push(await buntime(["distro", "build", "--offline"], join(root, "default")));

  /** Polls the readiness probe (plugins started, pool up, storage reachable) until it answers 200. */
  const untilReady = async (url: URL) => {
    for (let i = 0; i < 500; i++) {
      if ((await fetch(new URL("/_/api/health/ready", url))).ok) return;
      await Bun.sleep(2);
    }
    throw new Error(`${url} never became ready`);
  };
  const starts: number[] = [];
  const phases: Record<string, number>[] = [];
  for (let i = 0; i < STARTS; i++) {
    const started = performance.now();
    const build = join(root, "default", "build");
    const child = Bun.spawn([join(build, "start"), "--port", "0"], {
      cwd: root,
      env: { ...env, PATH: `${join(root, "bin")}:${process.env.PATH}` },
      stdout: "pipe",
      stderr: "pipe",
    });
    const marks: StartMarks = {};
    const reading = readStartMarks(child.stderr, started, marks);
    const { url } = await untilListening(child.stdout);
    await untilReady(url);
    starts.push(performance.now() - started);
    phases.push(startPhases(marks, performance.now() - started));
    child.kill("SIGTERM");
    await Promise.all([child.exited, reading]);
    rmSync(join(build, "home"), { recursive: true, force: true });
  }
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const size = (name: string) => {
    const build = join(root, name, "build");
    return `${mib(bytesOf(build))} (plugins ${mib(bytesOf(join(build, "plugins")) + bytesOf(join(build, "tarballs")))}, runner ${mib(bytesOf(join(build, "node_modules")))})`;
  };
  console.log(`build, cold cache (registry up):        ${cold.toFixed(0)} ms`);
  console.log(`build, warm cache, --offline (median):  ${median(warm).toFixed(0)} ms   (target <= 10000 ms)`);
  console.log(
    `cold start to ready (median of ${STARTS}):      ${median(starts).toFixed(0)} ms   (target <= 1000 ms; each: ${starts.map((ms) => ms.toFixed(0)).join(", ")})`,
  );
  for (const phase of Object.keys(phases[0] ?? {})) {
    console.log(
      `  ${`${phase} (median)`.padEnd(62)} ${median(phases.map((p) => p[phase] ?? 0)).toFixed(0)} ms`,
    );
  }
  console.log(
    `size, default (${Object.keys(manifest.plugins).length} plugins):             ${size("default")}`,
  );
  console.log(`size, minimal (router only):            ${size("minimal")}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
