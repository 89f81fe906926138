/**
 * Benchmark: what a warm hello through kernel + router costs the main thread, per request, for
 * this checkout and for other checkouts in the same rounds (a same-run before/after). Each
 * server runs under timed-server.ts and is loaded in turn by wrk; per round and server:
 * req/s, CPU per request of the main thread and of the whole process (/proc), and the medians
 * of the synchronous request path and of handling one answer (see timed-server.ts), which
 * other load on the machine moves least. The summary gives the median of each over the rounds.
 *
 *   npx bun plugins/router/bench/main-thread.ts [--rounds 5] [--seconds 4] [--connections 50]
 *     [--variant "before=/tmp/base"]...   another checkout (its kernel-router-hello.ts)
 *
 * Needs wrk (apt-get install wrk) and Linux (/proc).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { median, startServer } from "@buntime/test-kit/load";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "4" },
    connections: { type: "string", default: "50" },
    variant: { type: "string", multiple: true, default: [] },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const TIMED = join(import.meta.dir, "timed-server.ts");
/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS = Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim()) || 100;

interface Figures {
  rps: number;
  mainUs: number;
  allUs: number;
  syncP50: number;
  answerP50: number;
}

/** User + system CPU ticks of `/proc/<pid>/<file>`. */
function ticks(pid: number, file: string): number {
  const fields = readFileSync(`/proc/${pid}/${file}`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return Number(fields[11]) + Number(fields[12]);
}

function wrk(url: string, duration: number): { rps: number; requests: number } {
  const run = Bun.spawnSync(["wrk", "-t1", `-c${connections}`, `-d${duration}s`, url], {
    timeout: (duration + 10) * 1000,
  });
  const text = run.stdout.toString();
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(text)?.[1]);
  if (!Number.isFinite(rps) || !Number.isFinite(requests))
    throw new Error(`wrk gave no figure (apt-get install wrk?):\n${text}${run.stderr}`);
  const failed = /Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1];
  if (failed) throw new Error(`${failed} failed responses from ${url}`);
  return { rps, requests };
}

const servers = [
  { label: "this checkout", script: join(import.meta.dir, "kernel-router-hello.ts") },
  ...values.variant.map((text) => {
    const cut = text.indexOf("=");
    if (cut < 1) throw new Error(`--variant "${text}": expected label=/path/to/checkout`);
    const checkout = text.slice(cut + 1);
    return {
      label: text.slice(0, cut),
      script: join(checkout, "plugins/router/bench/kernel-router-hello.ts"),
    };
  }),
];
const started = await Promise.all(
  servers.map(async (server) => ({ ...server, ...(await startServer(TIMED, [server.script])) })),
);
const results = new Map<string, Figures[]>(servers.map((server) => [server.label, []]));
try {
  for (const server of started) wrk(server.url, 2); // warm: JIT and the worker
  for (let round = 1; round <= rounds; round++) {
    for (const server of started) {
      const pid = server.process.pid;
      const statsUrl = new URL("/__main-thread", server.url).href;
      await fetch(statsUrl); // forget what came before
      const main = ticks(pid, `task/${pid}/stat`);
      const all = ticks(pid, "stat");
      const { rps, requests } = wrk(server.url, seconds);
      const us = (spent: number) => ((spent / TICKS) * 1e6) / requests;
      const timed = (await (await fetch(statsUrl)).json()) as { syncP50: number; answerP50: number };
      const figures: Figures = {
        rps,
        mainUs: us(ticks(pid, `task/${pid}/stat`) - main),
        allUs: us(ticks(pid, "stat") - all),
        syncP50: timed.syncP50,
        answerP50: timed.answerP50,
      };
      results.get(server.label)?.push(figures);
      console.log(
        `round ${round} ${server.label}: ${rps.toFixed(0)} req/s, main ${figures.mainUs.toFixed(1)} µs/request (all threads ${figures.allUs.toFixed(1)}), synchronous path p50 ${figures.syncP50} ns, one answer p50 ${figures.answerP50} ns`,
      );
    }
  }
} finally {
  for (const server of started) server.process.kill();
}
console.log(`\nmedians of ${rounds} rounds, ${connections} connections, ${seconds} s each:`);
for (const [label, list] of results) {
  const of = (pick: (figures: Figures) => number) => median(list.map(pick));
  console.log(
    `${label}: ${of((f) => f.rps).toFixed(0)} req/s, main ${of((f) => f.mainUs).toFixed(1)} µs/request (all ${of((f) => f.allUs).toFixed(1)}), synchronous path ${of((f) => f.syncP50)} ns, one answer ${of((f) => f.answerP50)} ns`,
  );
}
