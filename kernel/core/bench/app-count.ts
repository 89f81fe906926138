/**
 * The app-count curve (issue 19's "no cliff at many apps"): requests spread round-robin over 1 to
 * 500 warm apps, through the pool as configured now (maxWorkers sized by memory) and with the old
 * fixed limit of 64, in one run. Each figure is the median of the rounds; the ratio is against
 * 10 apps in the same configuration. Target: 100, 200 and 500 apps within 2× of 10 apps.
 * bench/all.ts runs the same points (lib/app-count.ts) beside the other figures.
 *
 *   npx bun kernel/core/bench/app-count.ts [--rounds 3] [--seconds 3] [--connections 50]
 *
 * Needs wrk (apt-get install wrk).
 */
import { benchArgs } from "@buntime/test-kit/load";
import { APP_COUNTS, measureAppCount } from "./lib/app-count.ts";

const { rounds, load } = benchArgs();

async function curve(label: string, serverArgs: string[]): Promise<Map<number, number>> {
  const figures = new Map<number, number>();
  for (const count of APP_COUNTS) {
    const point = await measureAppCount(count, { rounds, ...load, serverArgs });
    figures.set(count, point.rps);
    console.log(
      `${label}, ${count} apps: ${point.rps.toFixed(0)} req/s, event-loop lag median ${point.lagMedian.toFixed(1)} ms max ${point.lagMax.toFixed(0)} ms, RSS ${point.rssMb.toFixed(0)} MB`,
    );
  }
  return figures;
}

const sized = await curve("maxWorkers by memory", []);
const fixed = await curve("maxWorkers 64 (before)", ["--max-workers", "64"]);
for (const [label, figures] of [
  ["by memory", sized],
  ["fixed 64", fixed],
] as const) {
  const base = figures.get(10) as number;
  const ratios = APP_COUNTS.map((count) => `${count}: ${((figures.get(count) as number) / base).toFixed(2)}`);
  console.log(`${label}, share of 10-app throughput: ${ratios.join(", ")}`);
}
for (const count of [100, 200, 500]) {
  const ratio = (sized.get(count) as number) / (sized.get(10) as number);
  console.log(
    `${count} apps within 2× of 10 apps (ratio ≥ 0.5): ${ratio >= 0.5 ? "OK" : "BELOW TARGET"} (${ratio.toFixed(2)})`,
  );
}
