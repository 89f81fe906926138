/**
 * Registry benchmark: the Buntime registry against Verdaccio in the same run, same package
 * set (50 plugins x 5 versions): packument GET req/s, tarball GET req/s (wrk, 50 connections;
 * load.ts without wrk) and the wall time of `npm install` of 20 plugins into a clean folder
 * with a cold cache (median of 5, alternating between the registries).
 *
 * Setup once: `npm install --prefix registry-server/bench` (Verdaccio is this folder's only
 * dependency). Run: `bun registry-server/bench/run.ts [seconds]`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchLogin, seedRegistry } from "./seed.ts";

const SECONDS = Number(process.argv[2] ?? 5);
const CONNECTIONS = 50;
const here = import.meta.dir;
const work = mkdtempSync(join(tmpdir(), "buntime-bench-"));
const children: { kill(signal?: number | NodeJS.Signals): void; exited: Promise<number> }[] = [];

async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}

async function waitFor(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await Bun.sleep(200);
  }
  throw new Error(`${url} did not come up`);
}

async function startBuntime(): Promise<string> {
  const port = await freePort();
  const child = Bun.spawn(
    [process.execPath, join(here, "serve-buntime.ts"), String(port), join(work, "buntime")],
    {
      stdout: "ignore",
      stderr: "inherit",
    },
  );
  children.push(child);
  const url = `http://127.0.0.1:${port}/`;
  await waitFor(`${url}-/ping`);
  return url;
}

async function startVerdaccio(): Promise<string | undefined> {
  const bin = join(here, "node_modules", "verdaccio", "bin", "verdaccio");
  if (!existsSync(bin)) return undefined;
  const dir = join(work, "verdaccio");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "config.yaml"),
    [
      `storage: ${join(dir, "storage")}`,
      "auth:",
      "  htpasswd:",
      `    file: ${join(dir, "htpasswd")}`,
      "    max_users: 1000",
      "uplinks: {}",
      "packages:",
      "  '**':",
      "    access: $all",
      "    publish: $authenticated",
      "log: { type: stdout, format: pretty, level: error }",
      "web: { enable: false }",
      "max_body_size: 50mb",
    ].join("\n"),
  );
  const port = await freePort();
  const child = Bun.spawn(
    ["node", bin, "--config", join(dir, "config.yaml"), "--listen", `127.0.0.1:${port}`],
    {
      stdout: "ignore",
      stderr: "ignore",
    },
  );
  children.push(child);
  const url = `http://127.0.0.1:${port}/`;
  await waitFor(`${url}-/ping`);
  return url;
}

/** Requests per second over rotating paths, with wrk when installed. */
async function measure(base: string, paths: string[], accept: string): Promise<number> {
  if (Bun.which("wrk")) {
    const script = join(work, `paths-${Math.random().toString(36).slice(2)}.lua`);
    writeFileSync(
      script,
      [
        `local paths = { ${paths.map((p) => JSON.stringify(p)).join(", ")} }`,
        "local i = 0",
        `wrk.headers["accept"] = ${JSON.stringify(accept)}`,
        "request = function() i = i + 1; return wrk.format('GET', paths[(i % #paths) + 1]) end",
      ].join("\n"),
    );
    const out = await Bun.$`wrk -t2 -c${CONNECTIONS} -d${SECONDS}s -s ${script} ${base}`.text();
    if (/Non-2xx/.test(out)) throw new Error(`errors while measuring ${base}:\n${out}`);
    return Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0));
  }
  const urls = paths.map((p) => new URL(p.slice(1), base).href);
  const out =
    await Bun.$`${process.execPath} ${join(here, "load.ts")} ${SECONDS} ${CONNECTIONS} ${accept} ${urls}`.text();
  return (JSON.parse(out) as { rps: number }).rps;
}

/** Wall time of `npm install` of 20 plugins into a clean folder with a cold cache. */
async function timeOneInstall(base: string, label: string): Promise<number> {
  const app = join(work, `install-${label}`);
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: `bench-app-${label}`, version: "1.0.0" }));
  const names = Array.from({ length: 20 }, (_, i) => `bench-plugin-${i}`);
  const started = performance.now();
  await Bun.$`npm install ${names} --registry ${base} --cache ${join(work, `cache-${label}`)} --no-audit --no-fund --loglevel error`
    .cwd(app)
    .env({ ...process.env, npm_config_update_notifier: "false" })
    .quiet();
  return Math.round(performance.now() - started);
}

interface Target {
  label: string;
  base: string;
  seedMs: number;
  installs: number[];
}

async function seeded(label: string, base: string): Promise<Target> {
  const token = await benchLogin(base, "bench", "bench-password");
  const started = performance.now();
  await seedRegistry(base, token);
  return { label, base, seedMs: Math.round(performance.now() - started), installs: [] };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

try {
  await Bun.$`npm --version`.quiet(); // warm npm's own files so the first install is not penalised
  const targets = [await seeded("buntime", await startBuntime())];
  const verdaccio = await startVerdaccio();
  if (verdaccio) targets.push(await seeded("verdaccio", verdaccio));
  else console.error("verdaccio not installed: npm install --prefix registry-server/bench");
  // Installs alternate between the registries so neither gets a warmer machine.
  for (let round = 0; round < 5; round++) {
    for (const target of targets)
      target.installs.push(await timeOneInstall(target.base, `${target.label}-${round}`));
  }
  const packuments = Array.from({ length: 50 }, (_, i) => `/bench-plugin-${i}`);
  const tarballs = Array.from(
    { length: 50 },
    (_, i) => `/bench-plugin-${i}/-/bench-plugin-${i}-1.${i % 5}.0.tgz`,
  );
  const results = [];
  for (const target of targets) {
    results.push({
      label: target.label,
      seedMs: target.seedMs,
      packumentRps: await measure(target.base, packuments, "application/vnd.npm.install-v1+json"),
      tarballRps: await measure(target.base, tarballs, "application/octet-stream"),
      installMs: median(target.installs),
      installRuns: target.installs,
    });
  }
  console.log(
    "| registry | seed 250 versions (ms) | packument GET/s | tarball GET/s | npm install 20, median of 5 (ms) |",
  );
  console.log("| --- | --- | --- | --- | --- |");
  for (const r of results) {
    console.log(`| ${r.label} | ${r.seedMs} | ${r.packumentRps} | ${r.tarballRps} | ${r.installMs} |`);
  }
  const [ours, theirs] = results;
  if (ours && theirs) {
    const ratio = (ours.installMs / theirs.installMs).toFixed(2);
    console.log(
      `\npackument ${(ours.packumentRps / theirs.packumentRps).toFixed(1)}x, tarball ${(ours.tarballRps / theirs.tarballRps).toFixed(1)}x, install time ratio ${ratio} (below 1 is faster)`,
    );
  }
  console.log(JSON.stringify(results));
} finally {
  for (const child of children) child.kill();
  await Promise.all(children.map((c) => c.exited));
  rmSync(work, { recursive: true, force: true });
}
