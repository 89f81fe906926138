/**
 * Benchmark of the isolation tiers (issue 11): the `process` tier beside the `thread` tier and
 * a raw Bun.serve, in one run.
 *
 * - warm hello, req/s: raw, thread and process servers measured in alternation, each in its own
 *   process, wrk as the client; ratios are medians over the rounds. Target: process >= 0.30 of raw.
 * - cold start: a new app's first response, spawn included (the sandbox probe and the script
 *   bundle are warmed first). Target: process <= 60 ms.
 * - idle memory per sandboxed app: RSS and PSS (shared pages split among the processes that map
 *   them) of every process in the sandboxes, 10 idle apps. Target: <= 40 MB per app.
 * - a tenant group of 10 apps: the same 10 idle apps sharing one sandbox (`isolation.groups`).
 * - recovery: an app crashes (`process.abort()` in the process tier, `process.exit` in the
 *   thread tier); time from the crash's 502 to the next 200, respawn included.
 *
 *   npx bun kernel/core/bench/process-tier.ts [--rounds 5] [--seconds 3] [--connections 50]
 *
 * Needs wrk and bubblewrap (apt-get install wrk bubblewrap).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AppSpec, IsolationTier } from "@buntime/sdk";
import { benchArgs, median, RAW_HELLO_SERVER, requestsPerSecond, startServer } from "@buntime/test-kit/load";
import { createWorkerPool } from "../src/pool/index.ts";

const { rounds, load } = benchArgs();
const FIXTURES = join(import.meta.dir, "../test/pool/fixtures");
const MB = 1024 * 1024;

function fixture(name: string, extra: Partial<AppSpec>): AppSpec {
  const dir = join(FIXTURES, name);
  return { name, version: "0.0.0", entry: join(dir, "index.ts"), dir, ...extra };
}

async function warmThroughput(): Promise<void> {
  const servers = {
    raw: await startServer(RAW_HELLO_SERVER),
    thread: await startServer(join(import.meta.dir, "tier-hello-server.ts"), ["thread"]),
    process: await startServer(join(import.meta.dir, "tier-hello-server.ts"), ["process"]),
  };
  const runs = { raw: [] as number[], thread: [] as number[], process: [] as number[] };
  try {
    for (const server of Object.values(servers)) await requestsPerSecond(server.url, { ...load, seconds: 1 });
    for (let round = 1; round <= rounds; round++) {
      for (const name of ["raw", "thread", "process"] as const) {
        runs[name].push(await requestsPerSecond(servers[name].url, load));
      }
      console.log(
        `round ${round}: raw ${runs.raw.at(-1)?.toFixed(0)} | thread ${runs.thread.at(-1)?.toFixed(0)} | process ${runs.process.at(-1)?.toFixed(0)} req/s`,
      );
    }
  } finally {
    for (const server of Object.values(servers)) server.process.kill();
  }
  const ratio = (tier: "thread" | "process") =>
    median(runs[tier].map((rps, i) => rps / (runs.raw[i] as number)));
  console.log(
    `warm hello @${load.connections}: raw ${median(runs.raw).toFixed(0)} req/s (median of ${rounds})`,
  );
  console.log(`  thread  ${median(runs.thread).toFixed(0)} req/s, ratio ${ratio("thread").toFixed(2)}`);
  const processRatio = ratio("process");
  console.log(
    `  process ${median(runs.process).toFixed(0)} req/s, ratio ${processRatio.toFixed(2)} (target >= 0.30) ${processRatio >= 0.3 ? "OK" : "BELOW TARGET"}`,
  );
}

/** The pids of every descendant of this process. */
function descendants(): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  const found: number[] = [];
  const queue = [process.pid];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [pid, ppid] of parents) {
      if (ppid !== parent) continue;
      found.push(pid);
      queue.push(pid);
    }
  }
  return found;
}

/** Summed RSS and PSS of `pids`, in bytes. */
function memoryOf(pids: number[]): { rss: number; pss: number } {
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024;
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024;
    } catch {
      // gone, or not ours to read
    }
  }
  return { rss, pss };
}

async function coldStartAndMemory(tier: IsolationTier, apps: number): Promise<void> {
  const pool = createWorkerPool({ maxWorkers: apps + 4 });
  try {
    const first = await pool.fetch(
      fixture("hello", { name: "warmup", isolation: tier }),
      new Request("http://x/"),
    );
    await first.text();
    const threadsBefore = memoryOf(descendants());
    const rssBefore = process.memoryUsage().rss;
    const firsts: number[] = [];
    for (let i = 0; i < apps; i++) {
      const started = performance.now();
      const response = await pool.fetch(
        fixture("hello", { name: `app-${i}`, isolation: tier }),
        new Request("http://x/"),
      );
      await response.text();
      firsts.push(performance.now() - started);
    }
    await Bun.sleep(1000);
    const sorted = [...firsts].sort((a, b) => a - b);
    const cold = `cold start ${median(firsts).toFixed(1)} ms median, ${(sorted.at(-1) ?? 0).toFixed(1)} ms max`;
    if (tier === "process") {
      const now = memoryOf(descendants());
      const perRss = (now.rss - threadsBefore.rss) / apps / MB;
      const perPss = (now.pss - threadsBefore.pss) / apps / MB;
      console.log(
        `process tier: ${cold} (target <= 60 ms) ${median(firsts) <= 60 ? "OK" : "ABOVE TARGET"}; idle memory per app: RSS ${perRss.toFixed(1)} MB, PSS ${perPss.toFixed(1)} MB (target <= 40 MB) ${perPss <= 40 ? "OK" : "ABOVE TARGET"}; ${apps} apps: PSS ${(perPss * apps).toFixed(0)} MB`,
      );
    } else {
      const perApp = (process.memoryUsage().rss - rssBefore) / apps / MB;
      console.log(`thread tier: ${cold}; idle memory per app: ${perApp.toFixed(1)} MB (kernel RSS growth)`);
    }
  } finally {
    await pool.shutdown();
  }
}

async function groupMemory(apps: number): Promise<void> {
  const names = Array.from({ length: apps }, (_, i) => `member-${i}`);
  const pool = createWorkerPool({ maxWorkers: apps + 4, isolation: { groups: { tenant: names } } });
  try {
    const before = memoryOf(descendants());
    // the members share the hello fixture's folder, so the group's sandbox binds it once
    for (const name of names)
      await (await pool.fetch(fixture("hello", { name }), new Request("http://x/"))).text();
    await Bun.sleep(1000);
    const now = memoryOf(descendants());
    console.log(
      `tenant group of ${apps} apps: RSS ${((now.rss - before.rss) / MB).toFixed(0)} MB, PSS ${((now.pss - before.pss) / MB).toFixed(0)} MB in all (${((now.pss - before.pss) / apps / MB).toFixed(1)} MB PSS per app)`,
    );
  } finally {
    await pool.shutdown();
  }
}

async function recovery(tier: IsolationTier, times: number): Promise<void> {
  const pool = createWorkerPool();
  const app = fixture("process-fault", { name: `crashy-${tier}`, isolation: tier });
  const crash = tier === "process" ? "/abort" : "/exit";
  const took: number[] = [];
  try {
    await (await pool.fetch(app, new Request("http://x/"))).text();
    for (let i = 0; i < times; i++) {
      const fault = await pool.fetch(app, new Request(`http://x${crash}`));
      await fault.text();
      if (fault.status !== 502) throw new Error(`expected 502 from ${crash}, got ${fault.status}`);
      const started = performance.now();
      const healthy = await pool.fetch(app, new Request("http://x/"));
      await healthy.text();
      if (healthy.status !== 200) throw new Error(`the app did not recover: ${healthy.status}`);
      took.push(performance.now() - started);
    }
  } finally {
    await pool.shutdown();
  }
  console.log(`${tier} tier: crash (${crash}) to healthy ${median(took).toFixed(1)} ms median of ${times}`);
}

await warmThroughput();
for (const tier of ["thread", "process"] as const) await coldStartAndMemory(tier, 10);
await groupMemory(10);
for (const tier of ["thread", "process"] as const) await recovery(tier, 5);
