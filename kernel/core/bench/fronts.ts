/**
 * More than one accepting front (issue 19): `Bun.serve` with `reusePort` in 1 or 2 processes,
 * and in 2 threads of one process, all on one port; raw (`hello` at once) and through a worker
 * pool per front (each front its own pool and app worker, as a kernel per front would run). The
 * shapes run in alternation, `--rounds` times, wrk (one thread, 50 connections) against the
 * shared port; each figure is the median, with its ratio to one front of the same kind in the
 * same round.
 *
 *   npx bun kernel/core/bench/fronts.ts [--rounds 3] [--seconds 2] [--connections 50]
 *
 * Needs wrk (apt-get install wrk).
 */
import { join } from "node:path";
import { benchArgs, median, startServer } from "@buntime/test-kit/load";
import { wrk } from "./lib/wrk.ts";

const FRONT = join(import.meta.dir, "servers/front.ts");
const { rounds, load } = benchArgs();

/** A port nothing listens on now (the fronts bind it with reusePort). */
function freePort(): number {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = probe.port as number;
  probe.stop(true);
  return port;
}

interface Shape {
  label: string;
  processes: number;
  threads: number;
  pool: boolean;
}
const SHAPES: Shape[] = [
  { label: "raw, 1 front", processes: 1, threads: 1, pool: false },
  { label: "raw, 2 processes", processes: 2, threads: 1, pool: false },
  { label: "raw, 2 threads", processes: 1, threads: 2, pool: false },
  { label: "pool, 1 front", processes: 1, threads: 1, pool: true },
  { label: "pool, 2 processes", processes: 2, threads: 1, pool: true },
  { label: "pool, 2 threads", processes: 1, threads: 2, pool: true },
];

async function measure(shape: Shape): Promise<number> {
  const port = freePort();
  const args = [
    "--port",
    String(port),
    "--threads",
    String(shape.threads),
    ...(shape.pool ? ["--pool"] : []),
  ];
  const fronts = [];
  try {
    for (let i = 0; i < shape.processes; i++) fronts.push(await startServer(FRONT, args));
    const url = fronts[0]?.url as string;
    for (let i = 0; i < 20; i++) await (await fetch(url)).text(); // warm: every front's app worker
    await wrk(url, { ...load, seconds: 1 });
    const run = await wrk(url, load);
    if (run.failed > 0) console.log(`  ${shape.label}: ${run.failed} failed`);
    return run.rps;
  } finally {
    for (const front of fronts) front.process.kill();
  }
}

const figures = new Map<Shape, number[]>(SHAPES.map((shape) => [shape, []]));
for (let round = 0; round < rounds; round++) {
  for (const shape of SHAPES) figures.get(shape)?.push(await measure(shape));
}
for (const shape of SHAPES) {
  const own = figures.get(shape) as number[];
  const one = figures.get(SHAPES[shape.pool ? 3 : 0] as Shape) as number[];
  const ratio = median(own.map((rps, i) => rps / (one[i] as number)));
  console.log(`${shape.label}: ${median(own).toFixed(0)} req/s, ${ratio.toFixed(2)} of 1 front`);
}
