/**
 * The pool worker's own cost per request when requests rotate over many workers (each one cold),
 * without HTTP and without the pool's main side: the main thread of this process posts request
 * batches straight to N workers started from the worker bundle, round-robin with a fixed number in
 * flight, and reads their answers. CPU per request comes from /proc/self/task/<tid>/schedstat
 * (nanoseconds), split into the variant's own worker threads, the process's helper threads (JIT
 * compilers, GC) and the main thread; beside it, how often a worker thread went to sleep per
 * request (each sleep is a later wake of a cold thread). Variants (other checkouts' worker
 * entries, or any script that speaks the protocol) run in the same process and alternate in short
 * slices, so bursts of load from elsewhere on the machine hit them alike; their workers all stay
 * alive. Figures are totals over all slices.
 *
 *   npx bun kernel/core/bench/worker-cold.ts [--apps 500] [--inflight 50] [--slice-ms 200] [--slices 50]
 *     [--rid]                 requests carry an x-request-id (as the kernel's do): the labelled path
 *     [--report-ms 100]       the workers' busy memory-report interval (the pool's default)
 *     [--variant "before=/tmp/base/kernel/core/src/pool/worker/worker-entry.ts"]...
 *     [--only-variants]       leave this checkout's worker out
 *     [--variant "floor=kernel/core/bench/servers/floor-worker.ts"]   the least a worker must do
 *
 * Linux only (/proc).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    apps: { type: "string", default: "500" },
    inflight: { type: "string", default: "50" },
    "slice-ms": { type: "string", default: "200" },
    slices: { type: "string", default: "50" },
    rid: { type: "boolean", default: false },
    "only-variants": { type: "boolean", default: false },
    "report-ms": { type: "string", default: "100" },
    variant: { type: "string", multiple: true, default: [] },
  },
});
const apps = Number(values.apps);
const inflight = Number(values.inflight);
const sliceMs = Number(values["slice-ms"]);
const slices = Number(values.slices);
const HELLO = join(import.meta.dir, "../test/pool/fixtures/hello/index.ts");

/** CPU time of one thread so far, µs (schedstat's nanoseconds: stat's 10 ms ticks round a cold worker's share away); 0 when it is gone. */
function threadCpuUs(tid: string): number {
  try {
    return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]) / 1000;
  } catch {
    return 0;
  }
}

/** Times these threads went to sleep so far (voluntary context switches: each is a later wake). */
function sleeps(tids: Iterable<string>): number {
  let count = 0;
  for (const tid of tids) {
    try {
      const status = readFileSync(`/proc/self/task/${tid}/status`, "utf8");
      count += Number(/\nvoluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {}
  }
  return count;
}

function workerTids(): Set<string> {
  const tids = new Set<string>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim() === "Worker") tids.add(tid);
    } catch {} // a thread that ended meanwhile
  }
  return tids;
}

/** CPU so far per thread. */
function snapshot(): Map<string, number> {
  const cpu = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) cpu.set(tid, threadCpuUs(tid));
  return cpu;
}

/** Folders of the bundles this run wrote, removed at its end. */
const bundles: string[] = [];

/** The entry bundled as the pool bundles it (CommonJS with a bytecode cache beside it). */
async function bundled(entry: string): Promise<string> {
  const result = await Bun.build({ entrypoints: [entry], target: "bun", format: "cjs", bytecode: true });
  const dir = mkdtempSync(join(tmpdir(), "worker-cold-"));
  bundles.push(dir);
  for (const output of result.outputs) {
    const name = output.kind === "bytecode" ? "worker.js.jsc" : "worker.js";
    writeFileSync(join(dir, name), new Uint8Array(await output.arrayBuffer()));
  }
  return join(dir, "worker.js");
}

/** A worker entry's workers, and its totals over every slice (CPU in µs). */
interface Variant {
  label: string;
  workers: Worker[];
  tids: Set<string>;
  requests: number;
  elapsed: number;
  worker: number;
  helpers: number;
  main: number;
  reports: number;
  wakes: number;
}

const variants: Array<{ label: string; entry: string }> = [
  ...(values["only-variants"]
    ? []
    : [{ label: "now", entry: join(import.meta.dir, "../src/pool/worker/worker-entry.ts") }]),
  ...values.variant.map((text) => {
    const cut = text.indexOf("=");
    return { label: text.slice(0, cut), entry: text.slice(cut + 1) };
  }),
];

let onAnswer: (id: number) => void = () => {};
/** Memory reports received (all variants), to count them per request. */
let reports = 0;

function parse(data: unknown): Array<{ t: string; id?: number }> {
  return typeof data === "string" ? JSON.parse(data) : (data as Array<{ t: string; id?: number }>);
}

async function start(label: string, entry: string): Promise<Variant> {
  const script = await bundled(entry);
  const before = workerTids();
  const workers: Worker[] = [];
  for (let i = 0; i < apps; i++) {
    const worker = new Worker(script);
    const ready = Promise.withResolvers<void>();
    worker.onmessage = (event: MessageEvent) => {
      for (const message of parse(event.data)) {
        if (message.t === "ready") ready.resolve();
        else if (message.t === "res") onAnswer(message.id as number);
        else if (message.t === "mem") reports++;
        else if (message.t === "load-error") ready.reject(new Error(JSON.stringify(message)));
      }
    };
    worker.postMessage(
      JSON.stringify([
        {
          t: "init",
          entry: HELLO,
          memoryReportMs: Number(values["report-ms"]),
          maxMemory: 256 * 1024 * 1024,
        },
      ]),
    );
    await ready.promise;
    workers.push(worker);
  }
  const tids = new Set([...workerTids()].filter((tid) => !before.has(tid)));
  return {
    label,
    workers,
    tids,
    requests: 0,
    elapsed: 0,
    worker: 0,
    helpers: 0,
    main: 0,
    reports: 0,
    wakes: 0,
  };
}

let nextId = 1;
function post(worker: Worker, id: number): void {
  const headers: Record<string, string> = { host: "127.0.0.1:8080" };
  if (values.rid) headers["x-request-id"] = `r${id}`;
  const message = {
    t: "req",
    id,
    method: "GET",
    url: "http://127.0.0.1:8080/a/",
    headers,
    body: null,
    streamed: false,
  };
  worker.postMessage(JSON.stringify([message]));
}

/** Runs the rotation against `variant` for one slice; adds its CPU, wakes and requests to the variant's totals. */
async function slice(variant: Variant, others: Set<string>): Promise<void> {
  let done = 0;
  let turn = 0;
  let stop = false;
  let open = 0;
  const finished = Promise.withResolvers<void>();
  const send = () => {
    open++;
    post(variant.workers[turn++ % apps] as Worker, nextId++);
  };
  onAnswer = () => {
    done++;
    open--;
    if (!stop) send();
    else if (open === 0) finished.resolve();
  };
  const before = snapshot();
  const reportsBefore = reports;
  const sleptBefore = sleeps(variant.tids);
  for (let i = 0; i < inflight; i++) send();
  await Bun.sleep(sliceMs);
  stop = true;
  await finished.promise; // every request begun in the slice is answered and counted
  const after = snapshot();
  variant.wakes += sleeps(variant.tids) - sleptBefore;
  variant.reports += reports - reportsBefore;
  for (const [tid, cpu] of after) {
    const spent = cpu - (before.get(tid) ?? 0);
    if (tid === String(process.pid)) variant.main += spent;
    else if (variant.tids.has(tid)) variant.worker += spent;
    else if (!others.has(tid)) variant.helpers += spent;
  }
  variant.requests += done;
  variant.elapsed += sliceMs;
}

const started: Variant[] = [];
for (const { label, entry } of variants) started.push(await start(label, entry));
const allWorkers = new Set(started.flatMap((variant) => [...variant.tids]));
await Bun.sleep(500);
for (let r = 0; r < slices; r++) {
  for (const variant of started) {
    const others = new Set([...allWorkers].filter((tid) => !variant.tids.has(tid)));
    await slice(variant, others);
  }
}
const fmt = (n: number) => n.toFixed(1);
for (const variant of started) {
  const per = (total: number) => fmt(total / variant.requests);
  console.log(
    `${variant.label}: ${Math.round((variant.requests / variant.elapsed) * 1000)} req/s; CPU µs/request: worker threads ${per(variant.worker)}, helper threads (JIT, GC) ${per(variant.helpers)}, main ${per(variant.main)}; worker sleeps per request ${(variant.wakes / variant.requests).toFixed(2)}, memory reports per request ${(variant.reports / variant.requests).toFixed(3)}`,
  );
}
for (const dir of bundles) rmSync(dir, { recursive: true, force: true });
process.exit(0);
