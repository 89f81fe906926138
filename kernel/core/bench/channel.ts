/**
 * The pool's channel alone, no HTTP: a main thread keeping `--outstanding` requests in flight to
 * `--workers` workers (round-robin; each answer sends the next request), over the pool's batched
 * `postMessage` (protocol.ts's Outbox: main thread flushing on setImmediate, worker on a
 * microtask, JSON text batches) and over shared-memory rings (lib/sab-ring.ts: a ring each way
 * per worker, `Atomics.waitAsync` to sleep, a wake only when the reader sleeps). The modes run
 * in alternation, `--rounds` times for `--seconds`; figures are medians, with round trips per
 * second and the CPU time of the process (all threads) per round trip.
 *
 *   npx bun kernel/core/bench/channel.ts [--workers 1,8] [--outstanding 1,50] [--rounds 3] [--seconds 2]
 */
import { parseArgs } from "node:util";
import { median } from "@buntime/test-kit/load";
import { type Batch, Outbox, unbatch } from "../src/pool/shared/protocol.ts";
import { Ring, ringBuffer } from "./lib/sab-ring.ts";

const { values } = parseArgs({
  options: {
    workers: { type: "string", default: "1,8" },
    outstanding: { type: "string", default: "1,50" },
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "2" },
  },
});
const WORKER = new URL("./servers/channel-worker.ts", import.meta.url).href;

interface Answer {
  t: "res";
  id: number;
}
type Mode = "post" | "ring";

/** Starts `count` workers in `mode`; `send(i, message)` reaches worker i, answers go to `onAnswer`. */
async function connect(mode: Mode, count: number, onAnswer: (answer: Answer) => void) {
  const workers: Worker[] = [];
  const senders: Array<(message: unknown) => void> = [];
  const stops: Array<() => void> = [];
  for (let i = 0; i < count; i++) {
    const worker = new Worker(WORKER);
    workers.push(worker);
    if (mode === "ring") {
      const toWorker = ringBuffer(1 << 16);
      const toMain = ringBuffer(1 << 16);
      worker.postMessage({ mode, toWorker, toMain });
      const out = new Ring(toWorker);
      senders.push((message) => out.send(message));
      stops.push(new Ring(toMain).listen((message) => onAnswer(message as Answer)).stop);
    } else {
      worker.postMessage({ mode });
      const port = new Outbox(worker, "immediate");
      worker.onmessage = (event: MessageEvent<Batch<Answer>>) => {
        for (const answer of unbatch(event.data)) onAnswer(answer);
      };
      senders.push((message) => port.postMessage(message));
    }
  }
  await Bun.sleep(200); // workers loaded
  return {
    send: (i: number, message: unknown) => (senders[i] as (message: unknown) => void)(message),
    close() {
      for (const stop of stops) stop();
      for (const worker of workers) worker.terminate();
    },
  };
}

/** Round trips per second and CPU µs per round trip for one mode and shape. */
async function measure(mode: Mode, count: number, outstanding: number, seconds: number) {
  let done = 0;
  let next = 0;
  let running = true;
  const channel = await connect(mode, count, () => {
    done++;
    if (running) send();
  });
  const send = () => {
    const id = next++;
    channel.send(id % count, {
      t: "req",
      id,
      method: "GET",
      url: `http://127.0.0.1/a${id % count}/`,
      headers: {},
    });
  };
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  done = 0;
  for (let i = 0; i < outstanding; i++) send();
  await Bun.sleep(seconds * 1000);
  running = false;
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const trips = done;
  await Bun.sleep(50);
  channel.close();
  return { rate: trips / elapsed, cpuUs: (cpu.user + cpu.system) / trips };
}

const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const fmt = (n: number) => n.toFixed(n >= 100 ? 0 : 2);
for (const count of values.workers.split(",").map(Number)) {
  for (const outstanding of values.outstanding.split(",").map(Number)) {
    const figures: Record<Mode, Array<{ rate: number; cpuUs: number }>> = { post: [], ring: [] };
    for (let round = 0; round < rounds; round++) {
      for (const mode of ["post", "ring"] as const)
        figures[mode].push(await measure(mode, count, outstanding, seconds));
    }
    const ratio = median(
      figures.ring.map((ring, i) => ring.rate / (figures.post[i] as { rate: number }).rate),
    );
    const line = (mode: Mode) =>
      `${fmt(median(figures[mode].map((f) => f.rate)))} round trips/s, ${fmt(median(figures[mode].map((f) => f.cpuUs)))} µs CPU each`;
    console.log(
      `${count} worker(s), ${outstanding} in flight: postMessage ${line("post")}; ring ${line("ring")}; ring/postMessage ${fmt(ratio)}`,
    );
  }
}
process.exit(0);
