/**
 * What tracing costs the kernel's own code on the warm app path, in one process and without
 * HTTP or a worker: the request pipeline (5 plugins with no-op hooks, one handler calling the
 * pool's tracing with a stand-in for the worker that answers at once, after flattening the
 * headers as the pool does) driven directly, exporting to an OTLP receiver in a process of its
 * own. The figures are CPU time per request (this process, exporter worker included; and its
 * main thread alone, which serves every HTTP request in a kernel) with tracing off,
 * and how much more with tracing on with the defaults (every new trace, at most 100 a second)
 * and at each sample ratio with no limit (0: nothing sampled, only trace context carried), medians and minimums of ROUNDS rounds in which every mode takes its turn.
 * Far steadier than the HTTP bench (tracing.ts) on a busy machine, and blind to what HTTP,
 * the worker and the collector add.
 *
 *   npx bun kernel/core/bench/tracing-pipeline.ts   # BENCH_REQUESTS per turn (5000), BENCH_RUNS rounds (15)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { median, startServer } from "@buntime/test-kit/load";
import { createLogger } from "../src/logger.ts";
import { createDispatcher } from "../src/pipeline/dispatch.ts";
import { PluginTable } from "../src/pipeline/plugin-table.ts";
import type { LoadedPlugin } from "../src/plugins/loaded-plugin.ts";
import { type RequestOverrides, requestMessage } from "../src/pool/main/request-table.ts";
import { createTracing, type Tracing } from "../src/tracing/index.ts";
import { PoolTracing, recordedTraceParent } from "../src/tracing/pool-spans.ts";

/** Tracing off; the defaults (every new trace, at most 100 a second); then sample ratios with no limit. */
const MODES = ["off", "defaults", "0", "0.01", "0.1", "1"] as const;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5000);
const ROUNDS = Number(process.env.BENCH_RUNS ?? 15);
const APP = { key: "hello@1.0.0", isolation: "thread" };

const sink = await startServer(join(import.meta.dir, "servers", "otlp-sink.ts"));

/** Stands in for the pool's send: the message made and encoded as for a worker, then an answer. */
function send(request: Request, overrides: RequestOverrides | undefined): Promise<Response> {
  JSON.stringify([requestMessage(1, request, overrides)]);
  return Promise.resolve(new Response("hello"));
}

function plugin(name: string, hooks: LoadedPlugin["hooks"], base?: string): LoadedPlugin {
  const manifest = { base } as LoadedPlugin["manifest"];
  return {
    name,
    version: "1.0.0",
    origin: "inline",
    manifest,
    hooks,
    ctx: {} as LoadedPlugin["ctx"],
    release: async () => {},
  };
}

function dispatcher(tracing: Tracing | undefined): (request: Request) => unknown {
  const pool = tracing === undefined ? undefined : new PoolTracing(tracing.tracer);
  const plugins = Array.from({ length: 5 }, (_, i) =>
    plugin(`noop-${i + 1}`, { onRequest: () => {}, onResponse: () => {} }),
  );
  const fetch = (request: Request, context: { requestId: string }) => {
    const overrides = { headers: { "x-request-id": context.requestId } };
    // as the pool does: only a request carrying a header goes through the pool's tracing
    const header = pool === undefined ? null : recordedTraceParent(request);
    if (pool === undefined || header === null) return send(request, overrides);
    return pool.fetch(header, APP, overrides, (amended) => send(request, amended));
  };
  plugins.push(plugin("apps", { fetch }, "/"));
  const table = new PluginTable(plugins);
  return createDispatcher({
    currentTable: () => table,
    kernelApi: () => new Response("api"),
    clientAddress: () => undefined,
    hookTimeout: 30_000,
    trustedOrigins: new Set(),
    trustRequestId: false,
    logger: createLogger({ sink: () => {} }),
    tracer: tracing?.tracer,
  });
}

const tracings = new Map<string, Tracing | undefined>();
for (const mode of MODES) {
  const config =
    mode === "defaults"
      ? { otlp: { url: sink.url, headers: {} } }
      : {
          otlp: { url: sink.url, headers: {} },
          sampleRatio: Number(mode),
          maxTracesPerSecond: "unlimited" as const,
        };
  tracings.set(mode, mode === "off" ? undefined : createTracing(config, {}, { node: "bench", version: "0" }));
}
const dispatchers = new Map<string, (request: Request) => unknown>(
  MODES.map((mode) => [mode, dispatcher(tracings.get(mode))]),
);

/** Nanoseconds of CPU this process's main thread (the one serving requests) has used, from /proc. */
function mainThreadNanos(): number {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ")[0]);
}

/**
 * CPU microseconds per request over `count` requests, 50 at a time, letting timers and I/O run
 * between: the whole process's (exporter worker included) and the main thread's alone.
 */
async function cpuPerRequest(
  dispatch: (request: Request) => unknown,
  count: number,
): Promise<[number, number]> {
  const before = process.cpuUsage();
  const mainBefore = mainThreadNanos();
  for (let sent = 0; sent < count; sent += 50) {
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const response = (await dispatch(new Request("http://127.0.0.1/hello"))) as Response;
        await response.text();
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
  }
  const used = process.cpuUsage(before);
  return [(used.user + used.system) / count, (mainThreadNanos() - mainBefore) / 1000 / count];
}

for (const dispatch of dispatchers.values()) await cpuPerRequest(dispatch, 4 * REQUESTS); // warm the JIT
const figures = new Map<string, number[]>(MODES.map((mode) => [mode, []]));
const mainFigures = new Map<string, number[]>(MODES.map((mode) => [mode, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (let turn = 0; turn < MODES.length; turn++) {
    const mode = MODES[(round + turn) % MODES.length] as string;
    const dispatch = dispatchers.get(mode);
    if (dispatch === undefined) continue;
    const [all, main] = await cpuPerRequest(dispatch, REQUESTS);
    figures.get(mode)?.push(all);
    mainFigures.get(mode)?.push(main);
  }
}
/** Prints each mode's median and minimum of `table`, and how much more than tracing off's. */
function report(title: string, table: Map<string, number[]>): void {
  const off = table.get("off") ?? [];
  console.log(`${title}, ${ROUNDS} rounds of ${REQUESTS} requests per mode (median | minimum):`);
  for (const mode of MODES) {
    const values = table.get(mode) ?? [];
    const more = (pick: (list: number[]) => number) =>
      mode === "off"
        ? ""
        : ` (${pick(values) >= pick(off) ? "+" : ""}${(pick(values) - pick(off)).toFixed(2)})`;
    const label = mode === "off" || mode === "defaults" ? `tracing ${mode}` : `sampleRatio ${mode}`;
    console.log(
      `  ${label.padEnd(18)} ${median(values).toFixed(2)} µs${more(median)} | ${Math.min(...values).toFixed(2)} µs${more((list) => Math.min(...list))}`,
    );
  }
}
report("CPU per request, whole process", figures);
report("CPU per request, main thread only (the one serving HTTP)", mainFigures);
for (const tracing of tracings.values()) await tracing?.flush();
sink.process.kill();
