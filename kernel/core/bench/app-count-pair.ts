/**
 * The app-count curve of the pool beside the same curve of a bare server (Bun.serve handing each
 * app path to its own Worker, servers/bare-workers.ts), measured in alternation: for each app
 * count N every server is started at 10 apps and at N apps, all warm, and each round runs wrk
 * against them in turn. The ratios are medians of per-round ratios, so load from anything else on
 * the machine hits every server alike: each server's share of its own 10-app figure, and each
 * against the bare server at N apps; beside them, the server process's CPU time per request
 * (all threads, µs), which other load on the machine moves less than req/s.
 *
 *   npx bun kernel/core/bench/app-count-pair.ts [--rounds 3] [--seconds 1] [--counts 100,200,500]
 *     [--variant "reports 60s=--report-ms 60000"]...   more pool servers with extra arguments;
 *     [--variant "no FTL=BUN_JSC_useFTLJIT=0"]...      words with `=` set the server's environment
 *     [--bare-variant "…"]...                          the same for more bare servers
 *     [--variant "before=/tmp/base/kernel/core/bench/servers/many-apps.ts"]   a word ending in
 *       `.ts` is the server's script: a checkout of another commit, for a same-run before/after
 *
 * Needs wrk (apt-get install wrk).
 */
import { parseArgs } from "node:util";
import { median, startServer } from "@buntime/test-kit/load";
import { BARE_WORKERS_SERVER, MANY_APPS_SERVER, spawnApps } from "./lib/app-count.ts";
import { rotationScript, wrk } from "./lib/wrk.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "1" },
    connections: { type: "string", default: "50" },
    counts: { type: "string", default: "100,200,500" },
    variant: { type: "string", multiple: true, default: [] },
    "bare-variant": { type: "string", multiple: true, default: [] },
  },
});
const rounds = Number(values.rounds);
const load = { seconds: Number(values.seconds), connections: Number(values.connections) };

interface Variant {
  label: string;
  script: string;
  args: string[];
  env: Record<string, string>;
}

/** `label=words`: words with `=` are environment variables, one ending in `.ts` the script, the others arguments. */
function variant(text: string, script: string, prefix: string): Variant {
  const cut = text.indexOf("=");
  const words = text
    .slice(cut + 1)
    .split(" ")
    .filter(Boolean);
  const isEnv = (word: string) => /^[A-Za-z_]+=/.test(word);
  const env = Object.fromEntries(words.filter(isEnv).map((word) => word.split("=")));
  const args = words.filter((word) => !isEnv(word) && !word.endsWith(".ts"));
  const given = words.find((word) => word.endsWith(".ts"));
  return { label: `${prefix}, ${text.slice(0, cut)}`, script: given ?? script, args, env };
}
const variants: Variant[] = [
  { label: "pool", script: MANY_APPS_SERVER, args: [], env: {} },
  ...values.variant.map((text) => variant(text, MANY_APPS_SERVER, "pool")),
  ...values["bare-variant"].map((text) => variant(text, BARE_WORKERS_SERVER, "bare")),
  { label: "bare", script: BARE_WORKERS_SERVER, args: [], env: {} },
];

type Started = Awaited<ReturnType<typeof startServer>>;

async function warm(variant: Variant, count: number): Promise<Started> {
  const server = await startServer(variant.script, variant.args, variant.env);
  await spawnApps(server.url, count);
  return server;
}

/** The server process's CPU time so far, µs (its `/__stats`, lib/lag.ts). */
async function cpuUs(url: string): Promise<number> {
  return ((await (await fetch(new URL("/__stats", url))).json()) as { cpuUs: number }).cpuUs;
}

const fmt = (n: number) => n.toFixed(n >= 100 ? 0 : 2);
const ratio = (a: number[], b: number[]) => median(a.map((value, i) => value / (b[i] as number)));
for (const count of values.counts.split(",").map(Number)) {
  const runs = variants.flatMap((variant) => [
    { variant, count: 10, script: rotationScript(10), figures: [] as number[], cpu: [] as number[] },
    { variant, count, script: rotationScript(count), figures: [] as number[], cpu: [] as number[] },
  ]);
  const servers: Started[] = [];
  try {
    for (const run of runs) servers.push(await warm(run.variant, run.count));
    await Bun.sleep(500); // spawns settle
    for (let round = 0; round < rounds; round++) {
      for (const [i, run] of runs.entries()) {
        const { url } = servers[i] as Started;
        const before = await cpuUs(url);
        const result = await wrk(url, { ...load, script: run.script });
        if (result.failed > 0) console.log(`  ${run.variant.label} at ${run.count}: ${result.failed} failed`);
        run.figures.push(result.rps);
        run.cpu.push(((await cpuUs(url)) - before) / result.requests);
      }
    }
  } finally {
    for (const server of servers) server.process.kill();
  }
  const bare = runs.at(-1)?.figures ?? [];
  for (let i = 0; i < runs.length; i += 2) {
    const [ten, many] = [runs[i], runs[i + 1]] as [(typeof runs)[0], (typeof runs)[0]];
    console.log(
      `${count} apps, ${ten.variant.label}: ${fmt(median(many.figures))} req/s, ${fmt(ratio(many.figures, ten.figures))} of its 10 apps (${fmt(median(ten.figures))}), ${fmt(ratio(many.figures, bare))} of bare at ${count}; CPU ${fmt(median(many.cpu))} µs/request (${fmt(median(ten.cpu))} at 10 apps)`,
    );
  }
}
