import { afterAll, describe, expect, it } from "bun:test";
import { fixture, servePool, testPool } from "./helpers.ts";

const REQUESTS = 2000;
const CLIENTS = 32;
const TIME_LIMIT_MS = 45_000;

let live = 0;
let peakLive = 0;
const CONCURRENCY = 6;
const STANDBY = 3;
const MAX_CLOSING = 4;
const pool = testPool({
  maxConcurrentSpawns: 2,
  maxClosingWorkers: MAX_CLOSING,
  onWorkerSpawn: () => {
    live++;
    peakLive = Math.max(peakLive, live);
  },
  onWorkerTerminate: () => {
    live--;
  },
});
const spec = fixture("counter", { ttl: 0, concurrency: CONCURRENCY, maxQueue: 64, standby: STANDBY });
const server = servePool(pool, () => spec);
afterAll(async () => {
  server.stop();
  await pool.shutdown();
});

async function hammer(total: number): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let next = 0;
  const deadline = performance.now() + TIME_LIMIT_MS;
  async function client(): Promise<void> {
    while (next < total && performance.now() < deadline) {
      next++;
      const response = await fetch(`${server.url}/counter/`);
      const body = await response.text();
      if (response.status === 200) expect(JSON.parse(body)).toMatchObject({ count: 1 });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  }
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return statuses;
}

describe("ephemeral churn", () => {
  it(
    `serves ${REQUESTS} ephemeral requests from ${CLIENTS} clients with the kernel alive and its memory bounded`,
    async () => {
      const warm = await hammer(300);
      expect(warm.get(200)).toBeGreaterThan(0);
      Bun.gc(true);
      const rssBefore = process.memoryUsage().rss;
      const started = performance.now();
      const statuses = await hammer(REQUESTS);
      const elapsed = performance.now() - started;
      const served = [...statuses.values()].reduce((a, b) => a + b, 0);
      expect(served).toBe(REQUESTS);
      // only fresh workers answered (count 1) and overload, if any, was a clean 503
      expect([...statuses.keys()].every((status) => status === 200 || status === 503)).toBe(true);
      expect(statuses.get(200) ?? 0).toBeGreaterThan(REQUESTS * 0.9);
      // spawns wait while MAX_CLOSING workers are closing, so at most every serving and standby
      // worker can be closing on top of them: the thread count has a hard ceiling
      expect(peakLive).toBeLessThanOrEqual(2 * (CONCURRENCY + STANDBY) + MAX_CLOSING);
      await Bun.sleep(300);
      Bun.gc(true);
      const growth = process.memoryUsage().rss - rssBefore;
      console.log(
        `churn: ${REQUESTS} requests in ${Math.round(elapsed)} ms (${Math.round((REQUESTS / elapsed) * 1000)} req/s),`,
        `statuses ${JSON.stringify(Object.fromEntries(statuses))}, peak live workers ${peakLive},`,
        `rss growth ${Math.round(growth / 1024 / 1024)} MB`,
      );
      expect(growth).toBeLessThan(200 * 1024 * 1024);
      const stats = pool.stats().apps["counter@0.0.0"];
      expect(stats?.spawned).toBeGreaterThanOrEqual(REQUESTS);
      // the kernel still answers
      expect((await fetch(`${server.url}/counter/`)).status).toBe(200);
    },
    TIME_LIMIT_MS + 20_000,
  );
});
