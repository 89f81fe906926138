/**
 * One point of the app-count curve: the many-apps server (servers/many-apps.ts) with `count`
 * apps warmed, then wrk rotating over them; with the main thread's event-loop lag and the
 * process RSS the server reports at `/__stats` after the load. Used by app-count.ts and by
 * bench/all.ts.
 */
import { join } from "node:path";
import { median, startServer } from "@buntime/test-kit/load";
import { rotationScript, wrk } from "./wrk.ts";

/** The server the curve runs: a pool behind Bun.serve, app `a<n>` at `/a<n>/`. */
export const MANY_APPS_SERVER = join(import.meta.dir, "../servers/many-apps.ts");

/** The same paths without a pool: Bun.serve handing each app path to its own bare Worker. */
export const BARE_WORKERS_SERVER = join(import.meta.dir, "../servers/bare-workers.ts");

/** The app counts of issue 19's curve. */
export const APP_COUNTS = [1, 10, 64, 100, 200, 500];

/**
 * Sends one request to each of apps `a0` … `a<count-1>` of the server at `url`, so each has its
 * worker (sequential: the pool's spawn gate takes two at a time anyway).
 */
export async function spawnApps(url: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await (await fetch(new URL(`/a${i}/`, url))).text();
}

/** What `/__stats` answers (lib/lag.ts). */
interface Stats {
  lagMedian: number;
  lagMax: number;
  rss: number;
  cpuUs: number;
  switches: number;
  mainSwitches: number;
  mainCpuUs: number;
}

/** Medians over the rounds for one app count. */
export interface AppCountPoint {
  count: number;
  rps: number;
  p50: number;
  /** Main-thread event-loop lag during the load, ms: median and worst of a 10 ms timer's lateness. */
  lagMedian: number;
  lagMax: number;
  /** Resident memory of the whole server process (all worker threads included), MB. */
  rssMb: number;
  /** CPU time of the whole server process per request, µs, and context switches of all its threads per request. */
  cpuUs: number;
  switches: number;
  /** Context switches and CPU time (µs) of the main thread alone per request. */
  mainSwitches: number;
  mainCpuUs: number;
  failed: number;
}

/** Measures `count` apps round-robin: `rounds` wrk runs of `seconds` at `connections`. */
export async function measureAppCount(
  count: number,
  options: {
    rounds: number;
    seconds: number;
    connections: number;
    serverArgs?: string[];
    /** Another server with the same paths and `/__stats` (default MANY_APPS_SERVER). */
    server?: string;
  },
): Promise<AppCountPoint> {
  const server = await startServer(options.server ?? MANY_APPS_SERVER, options.serverArgs ?? []);
  try {
    await spawnApps(server.url, count); // every app warm before measuring
    const script = rotationScript(count);
    const runs = [];
    const stats: Array<
      Stats & { cpuPerRequest: number; switchesPerRequest: number; mainPerRequest: number; mainCpu: number }
    > = [];
    for (let round = 0; round < options.rounds; round++) {
      const before = (await (await fetch(new URL("/__stats", server.url))).json()) as Stats; // new lag window
      const run = await wrk(server.url, { ...options, script });
      runs.push(run);
      const after = (await (await fetch(new URL("/__stats", server.url))).json()) as Stats;
      stats.push({
        ...after,
        cpuPerRequest: (after.cpuUs - before.cpuUs) / run.requests,
        switchesPerRequest: (after.switches - before.switches) / run.requests,
        mainPerRequest: (after.mainSwitches - before.mainSwitches) / run.requests,
        mainCpu: (after.mainCpuUs - before.mainCpuUs) / run.requests,
      });
    }
    return {
      count,
      rps: median(runs.map((run) => run.rps)),
      p50: median(runs.map((run) => run.p50)),
      lagMedian: median(stats.map((stat) => stat.lagMedian)),
      lagMax: median(stats.map((stat) => stat.lagMax)),
      rssMb: median(stats.map((stat) => stat.rss)) / 1024 / 1024,
      cpuUs: median(stats.map((stat) => stat.cpuPerRequest)),
      switches: median(stats.map((stat) => stat.switchesPerRequest)),
      mainSwitches: median(stats.map((stat) => stat.mainPerRequest)),
      mainCpuUs: median(stats.map((stat) => stat.mainCpu)),
      failed: runs.reduce((sum, run) => sum + run.failed, 0),
    };
  } finally {
    server.process.kill();
  }
}

/**
 * What `count` warm apps cost doing nothing: the server's CPU (share of one core, all threads and
 * the main thread) and context switches per second over `seconds` with no requests.
 */
export async function measureIdle(
  count: number,
  options: { seconds: number; serverArgs?: string[]; server?: string },
): Promise<{ cpuShare: number; mainCpuShare: number; switchesPerSecond: number }> {
  const server = await startServer(options.server ?? MANY_APPS_SERVER, options.serverArgs ?? []);
  try {
    await spawnApps(server.url, count);
    await Bun.sleep(1000); // spawns settle
    const stats = async () => (await (await fetch(new URL("/__stats", server.url))).json()) as Stats;
    const before = await stats();
    await Bun.sleep(options.seconds * 1000);
    const after = await stats();
    const span = options.seconds * 1e6;
    return {
      cpuShare: (after.cpuUs - before.cpuUs) / span,
      mainCpuShare: (after.mainCpuUs - before.mainCpuUs) / span,
      switchesPerSecond: (after.switches - before.switches) / options.seconds,
    };
  } finally {
    server.process.kill();
  }
}
