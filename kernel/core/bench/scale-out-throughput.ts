/**
 * Scale-out throughput (issue 20): requests per second of 1, 2 and 3 kernel nodes behind nginx,
 * each node its own process serving the same thing (`servers/kernel-hello.ts`: five plugins with
 * no-op hooks and a plugin answering `hello`), beside one node reached directly (no balancer).
 * wrk (one thread, 50 connections) is the client. Everything shares this machine's cores, so the
 * curve says where the machine, not the design, stops adding throughput: the CPU columns say who
 * used the cores (the nodes, nginx, and the whole machine, wrk and any other work included).
 *
 *   bun test ./kernel/core/bench/scale-out-throughput.ts                 # ≈ 40 s
 *   BENCH_SECONDS=10 BENCH_ROUNDS=3 bun test ./kernel/core/bench/scale-out-throughput.ts
 *
 * It runs under `bun test` for the test kit's nginx (stopped after the file). Linux only (/proc).
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { median, startServer } from "@buntime/test-kit/load";
import { startNginx } from "@buntime/test-kit/nginx";
import { wrk } from "./lib/wrk.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

/** CPU used per second of load, in cores. */
interface CpuShare {
  readonly nodes: number;
  readonly nginx: number;
  readonly machine: number;
}

/** One figure of the table. */
interface Row {
  readonly setup: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
  readonly cpu: CpuShare;
}

/** Process `pid` and its descendants (nginx's worker is its master's child). */
function family(pid: number): number[] {
  let children: number[] = [];
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    children = text === "" ? [] : text.split(/\s+/).map(Number);
  } catch {
    return [];
  }
  return [pid, ...children.flatMap(family)];
}

/** CPU seconds (user and system) `pids` have used so far, from /proc (10 ms clock ticks). */
function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // a process that is gone counts nothing
    }
  }
  return ticks / 100;
}

/** Busy CPU seconds of the whole machine so far: /proc/stat's first line, all but idle and iowait. */
function machineBusy(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  return (total - (fields[3] ?? 0) - (fields[4] ?? 0)) / 100;
}

/** The median of `ROUNDS` wrk runs against `url`, and the CPU `nodes` and `nginx` used meanwhile. */
async function measure(setup: string, url: string, nodes: readonly number[], nginx?: number): Promise<Row> {
  // nginx forks its worker after it binds: one request first, so the worker is there to be counted
  await (await fetch(url)).arrayBuffer();
  const nodePids = nodes.flatMap(family);
  const nginxPids = nginx === undefined ? [] : family(nginx);
  const before = { nodes: cpuSeconds(nodePids), nginx: cpuSeconds(nginxPids), machine: machineBusy() };
  const started = performance.now();
  const runs = [];
  for (let round = 0; round < ROUNDS; round++) {
    runs.push(await wrk(url, { connections: CONNECTIONS, seconds: SECONDS }));
  }
  const elapsed = (performance.now() - started) / 1000;
  const rps = median(runs.map((run) => run.rps));
  const middle = runs.find((run) => run.rps === rps) ?? runs[0];
  return {
    setup,
    rps,
    p50: middle?.p50 ?? Number.NaN,
    p99: middle?.p99 ?? Number.NaN,
    failed: runs.reduce((sum, run) => sum + run.failed, 0),
    cpu: {
      nodes: (cpuSeconds(nodePids) - before.nodes) / elapsed,
      nginx: (cpuSeconds(nginxPids) - before.nginx) / elapsed,
      machine: (machineBusy() - before.machine) / elapsed,
    },
  };
}

/** The table, as Markdown. */
function table(rows: readonly Row[]): string {
  const cores = availableParallelism();
  return [
    `${cores} cores; wrk -t1 -c${CONNECTIONS} -d${SECONDS}s, median of ${ROUNDS}; CPU in cores busy`,
    "| setup | requests/s | p50 ms | p99 ms | failed | CPU nodes | CPU nginx | CPU machine |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows
      .map((row) =>
        [
          row.setup,
          Math.round(row.rps),
          row.p50.toFixed(2),
          row.p99.toFixed(2),
          row.failed,
          row.cpu.nodes.toFixed(2),
          row.cpu.nginx.toFixed(2),
          `${row.cpu.machine.toFixed(2)} of ${cores}`,
        ].join(" | "),
      )
      .map((line) => `| ${line} |`),
  ].join("\n");
}

test(
  "requests per second of 1, 2 and 3 nodes behind nginx",
  async () => {
    const server = join(import.meta.dir, "servers", "kernel-hello.ts");
    const nodes = await Promise.all([1, 2, 3].map(() => startServer(server)));
    const pids = nodes.map((node) => node.process.pid);
    try {
      const rows: Row[] = [await measure("1 node, direct", nodes[0]?.url ?? "", pids.slice(0, 1))];
      for (const count of [1, 2, 3]) {
        const balancer = await startNginx({ upstreams: nodes.slice(0, count).map((node) => node.url) });
        const label = `${count} node${count > 1 ? "s" : ""} behind nginx`;
        rows.push(await measure(label, `${balancer.url}/`, pids.slice(0, count), balancer.pid));
        await balancer.stop();
      }
      console.log(table(rows));
      for (const row of rows) expect(row.failed).toBe(0);
    } finally {
      for (const node of nodes) node.process.kill();
    }
  },
  (SECONDS * ROUNDS * 4 + 60) * 1000,
);
