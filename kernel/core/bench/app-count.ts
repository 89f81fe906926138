/**
 * The app-count curve (issue 19's "no cliff at many apps"): requests spread round-robin over 1 to
 * 500 warm apps, through the pool as configured now (maxWorkers sized by memory) and with the old
 * fixed limit of 64, in one run. Each figure is the median of the rounds; the ratio is against
 * 10 apps in the same configuration. Target: 100, 200 and 500 apps within 2× of 10 apps.
 *
 *   npx bun kernel/core/bench/app-count.ts [--rounds 3] [--seconds 3] [--connections 50]
 *
 * Needs wrk (apt-get install wrk).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchArgs, median, requestsPerSecond, startServer } from "@buntime/test-kit/load";

const { rounds, load } = benchArgs();
const COUNTS = [1, 10, 64, 100, 200, 500];
const SERVER = join(import.meta.dir, "servers/many-apps.ts");

/** A wrk script that walks `/a0/` … `/a<count-1>/` in turn, per connection. */
function rotation(count: number): string {
  const file = join(mkdtempSync(join(tmpdir(), "buntime-apps-")), "rotate.lua");
  writeFileSync(
    file,
    `local n = 0\nrequest = function()\n  n = (n + 1) % ${count}\n  return wrk.format("GET", "/a" .. n .. "/")\nend\n`,
  );
  return file;
}

async function curve(label: string, args: string[]): Promise<Map<number, number>> {
  const figures = new Map<number, number>();
  for (const count of COUNTS) {
    const server = await startServer(SERVER, args);
    try {
      // every app warm before measuring (sequential: the spawn gate takes two at a time anyway)
      for (let i = 0; i < count; i++) await (await fetch(new URL(`/a${i}/`, server.url))).text();
      const script = rotation(count);
      const runs: number[] = [];
      for (let round = 0; round < rounds; round++)
        runs.push(await requestsPerSecond(server.url, { ...load, script }));
      figures.set(count, median(runs));
      console.log(`${label}, ${count} apps: ${median(runs).toFixed(0)} req/s`);
    } finally {
      server.process.kill();
    }
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
  const ratios = COUNTS.map((count) => `${count}: ${((figures.get(count) as number) / base).toFixed(2)}`);
  console.log(`${label}, share of 10-app throughput: ${ratios.join(", ")}`);
}
for (const count of [100, 200, 500]) {
  const ratio = (sized.get(count) as number) / (sized.get(10) as number);
  console.log(
    `${count} apps within 2× of 10 apps (ratio ≥ 0.5): ${ratio >= 0.5 ? "OK" : "BELOW TARGET"} (${ratio.toFixed(2)})`,
  );
}
