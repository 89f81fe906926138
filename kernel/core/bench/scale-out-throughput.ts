/**
 * Scale-out throughput (issue 20): requests per second of 1, 2 and 3 kernel nodes behind nginx,
 * each node its own process serving the same thing (`servers/kernel-hello.ts`: five plugins with
 * no-op hooks and a plugin answering `hello`), beside one node reached directly (no balancer).
 * wrk (one thread, 50 connections) is the client. Everything shares this machine's cores, so the
 * curve says where the machine, not the design, stops adding throughput.
 *
 *   bun test ./kernel/core/bench/scale-out-throughput.ts                 # ≈ 40 s
 *   BENCH_SECONDS=10 BENCH_ROUNDS=3 bun test ./kernel/core/bench/scale-out-throughput.ts
 *
 * It runs under `bun test` for the test kit's nginx (stopped after the file).
 */
import { expect, test } from "bun:test";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { median, startServer } from "@buntime/test-kit/load";
import { startNginx } from "@buntime/test-kit/nginx";
import { wrk } from "./lib/wrk.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

/** One figure of the table. */
interface Row {
  readonly setup: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
}

/** The median round of `rounds` wrk runs against `url`. */
async function measure(setup: string, url: string): Promise<Row> {
  const runs = [];
  for (let round = 0; round < ROUNDS; round++)
    runs.push(await wrk(url, { connections: CONNECTIONS, seconds: SECONDS }));
  const rps = median(runs.map((run) => run.rps));
  const middle = runs.find((run) => run.rps === rps) ?? runs[0];
  return {
    setup,
    rps,
    p50: middle?.p50 ?? Number.NaN,
    p99: middle?.p99 ?? Number.NaN,
    failed: runs.reduce((sum, run) => sum + run.failed, 0),
  };
}

test(
  "requests per second of 1, 2 and 3 nodes behind nginx",
  async () => {
    const server = join(import.meta.dir, "servers", "kernel-hello.ts");
    const nodes = await Promise.all([1, 2, 3].map(() => startServer(server)));
    try {
      const rows: Row[] = [await measure("1 node, direct", nodes[0]?.url ?? "")];
      for (const count of [1, 2, 3]) {
        const balancer = await startNginx({ upstreams: nodes.slice(0, count).map((node) => node.url) });
        rows.push(await measure(`${count} node${count > 1 ? "s" : ""} behind nginx`, `${balancer.url}/`));
        await balancer.stop();
      }
      const lines = [
        `${availableParallelism()} cores; wrk -t1 -c${CONNECTIONS} -d${SECONDS}s, median of ${ROUNDS}`,
        "| setup | requests/s | p50 ms | p99 ms | failed |",
        "| --- | --- | --- | --- | --- |",
        ...rows.map(
          (row) =>
            `| ${row.setup} | ${Math.round(row.rps)} | ${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} | ${row.failed} |`,
        ),
      ];
      console.log(lines.join("\n"));
      for (const row of rows) expect(row.failed).toBe(0);
    } finally {
      for (const node of nodes) node.process.kill();
    }
  },
  (SECONDS * ROUNDS * 4 + 60) * 1000,
);
