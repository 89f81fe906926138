/**
 * Where the app-count loss comes from: the app-count points (kernel/core/bench/lib/app-count.ts)
 * at 10, 100 and 500 apps for the pool as it is, the pool with its workers' memory reports
 * slowed to one a minute, the pool with its ticker slowed to once a second, and a bare server
 * handing each app path to its own Worker without the pool (servers/bare-workers.ts). Each line
 * gives req/s, the share of the same variant at 10 apps, and CPU time and context switches per
 * request of the whole server process (and of its main thread). First, what 500 warm apps cost
 * each variant with no requests at all.
 *
 *   npx bun bench/app-count-causes.ts [--rounds 3] [--seconds 2]
 */
import { parseArgs } from "node:util";
import { BARE_WORKERS_SERVER, measureAppCount, measureIdle } from "../kernel/core/bench/lib/app-count.ts";

const { values } = parseArgs({
  options: { rounds: { type: "string", default: "3" }, seconds: { type: "string", default: "2" } },
});
const load = { rounds: Number(values.rounds), seconds: Number(values.seconds), connections: 50 };
const VARIANTS: Array<[string, { serverArgs?: string[]; server?: string }]> = [
  ["pool as it is", {}],
  ["pool, memory reports every 60 s", { serverArgs: ["--report-ms", "60000"] }],
  ["pool, ticker every 1 s", { serverArgs: ["--tick-ms", "1000"] }],
  ["bare Worker per app, no pool", { server: BARE_WORKERS_SERVER }],
];
const fmt = (n: number) => n.toFixed(n >= 100 ? 0 : 2);
for (const [label, variant] of VARIANTS) {
  const idle = await measureIdle(500, { seconds: 3, ...variant });
  console.log(
    `${label}, 500 idle apps: CPU ${fmt(idle.cpuShare * 100)}% of one core (main thread ${fmt(idle.mainCpuShare * 100)}%), ${fmt(idle.switchesPerSecond)} context switches/s`,
  );
}
for (const [label, variant] of VARIANTS) {
  let ten = Number.NaN;
  for (const count of [10, 100, 500]) {
    const point = await measureAppCount(count, { ...load, ...variant });
    if (count === 10) ten = point.rps;
    console.log(
      `${label}, ${count} apps: ${fmt(point.rps)} req/s (${fmt(point.rps / ten)} of 10 apps), CPU ${fmt(point.cpuUs)} µs/request (main thread ${fmt(point.mainCpuUs)}), ${fmt(point.switches)} context switches/request (main thread ${fmt(point.mainSwitches)}), lag median ${fmt(point.lagMedian)} ms${point.failed ? `, ${point.failed} FAILED` : ""}`,
    );
  }
}
