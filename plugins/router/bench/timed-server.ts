/**
 * Runs a server script (default: kernel-router-hello.ts) with the main thread's request work
 * timed from outside it: how long `Bun.serve`'s `fetch` call takes before it returns its
 * promise (the pipeline, the router and the pool's send), and how long a worker's batch of
 * answers takes to handle, per answer (parse, Response, resolve; not the promise reactions
 * after it). Medians of per-request timings are hardly moved by other load on the machine,
 * unlike CPU per request. `GET /__main-thread` answers the figures since the last ask as JSON.
 *
 *   bun plugins/router/bench/timed-server.ts [<server script of any checkout>]
 */
const STATS_PATH = "/__main-thread";

/** Recent timings, in ns; the lists are bounded, so a long run keeps a recent sample. */
const LIMIT = 1_000_000;
let sync: number[] = [];
let answers: number[] = [];

function percentile(values: number[], share: number): number {
  const sorted = values.sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length * share)] ?? 0);
}

function figures(): Response {
  const body = {
    requests: sync.length,
    syncP25: percentile(sync, 0.25),
    syncP50: percentile(sync, 0.5),
    batches: answers.length,
    answerP25: percentile(answers, 0.25),
    answerP50: percentile(answers, 0.5),
  };
  sync = [];
  answers = [];
  return Response.json(body);
}

const serve = Bun.serve;
Object.assign(Bun, {
  serve(
    options: Parameters<typeof Bun.serve>[0] & { fetch: (request: Request, server: unknown) => unknown },
  ) {
    const fetch = options.fetch;
    return serve({
      ...options,
      fetch(request: Request, server: unknown) {
        if (request.url.endsWith(STATS_PATH)) return figures();
        const started = Bun.nanoseconds();
        const response = fetch.call(this, request, server);
        if (sync.length < LIMIT) sync.push(Bun.nanoseconds() - started);
        return response;
      },
    } as Parameters<typeof Bun.serve>[0]);
  },
});

/** A Worker whose `onmessage` handler is timed per answer in the batch (pool workers use `onmessage`). */
class TimedWorker extends Worker {
  override set onmessage(listener: ((event: MessageEvent) => void) | null) {
    super.onmessage =
      listener &&
      ((event: MessageEvent) => {
        const started = Bun.nanoseconds();
        listener(event);
        const spent = Bun.nanoseconds() - started;
        const count = typeof event.data === "string" ? (event.data.match(/"t":"res"/g)?.length ?? 0) : 0;
        if (count > 0 && answers.length < LIMIT) answers.push(spent / count);
      });
  }
}
globalThis.Worker = TimedWorker;

await import(process.argv[2] ?? new URL("./kernel-router-hello.ts", import.meta.url).pathname);
