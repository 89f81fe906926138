/**
 * Three kernel nodes behind nginx under a steady request rate: `kill -9` of one node costs no
 * request started after it (nginx's passive health and `proxy_next_upstream` send them to the
 * others), and a rolling restart (each node drained by SIGTERM, then started again) answers
 * every request, none with a 5xx.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNginx } from "@buntime/test-kit/nginx";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { startRedisServer } from "@buntime/test-kit/redis";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";
import { SQL } from "bun";
import { FIRST_PARTY, type Node, node, writeProbe } from "./scale-out-nodes.ts";

const noNginx = skipWithoutSystemTool({ command: "nginx", debianPackage: "nginx" });
const noRedis = !noNginx && skipWithoutSystemTool({ command: "redis-server", debianPackage: "redis-server" });
const skip = noNginx || noRedis;

/** Seconds nginx keeps a failing node out of the rotation. */
const FAIL_TIMEOUT = 1;

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function cluster() {
  const postgres = await startTestPostgres();
  const redis = await startRedisServer();
  const sql = new SQL(postgres.url);
  await sql`CREATE TABLE probe_runs (scope text, tick bigint, node text, ran_by text)`;
  await sql.close();
  const dir = mkdtempSync(join(tmpdir(), "buntime-failover-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const shared = { postgres: postgres.url, redis: redis.url, plugins: [...FIRST_PARTY, writeProbe(dir)] };
  const nodes = ["a", "b", "c"].map((name) => node(name, shared, cleanups));
  await Promise.all(nodes.map((each) => each.start()));
  const balancer = await startNginx({ upstreams: nodes.map((each) => each.url), failTimeout: FAIL_TIMEOUT });
  return { nodes, balancer };
}

const { nodes, balancer } = skip ? ({} as Awaited<ReturnType<typeof cluster>>) : await cluster();

/** One request of a steady load: when it started, and its status (0: no answer at all). */
interface Sent {
  readonly at: number;
  readonly status: number;
  readonly error?: string;
}

/**
 * Sends `rate` requests a second for `seconds` through the balancer, each on a new connection
 * (no keep-alive) and on time whatever the others do (every fourth one answered 150 ms late, so
 * some are in flight at any moment), while `during` runs; resolves with every request's outcome
 * once all have settled.
 */
async function steadyLoad(rate: number, seconds: number, during: (started: number) => Promise<void>) {
  const started = performance.now();
  const sent: Promise<Sent>[] = [];
  const load = (async () => {
    for (let i = 0; i < rate * seconds; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await Bun.sleep(wait);
      const path = i % 4 === 0 ? "/probe/slow?ms=150" : "/probe/hello";
      const at = performance.now() - started;
      sent.push(
        fetch(`${balancer.url}${path}`, { signal: AbortSignal.timeout(10_000), keepalive: false }).then(
          async (response) => {
            await response.arrayBuffer();
            return { at, status: response.status };
          },
          (error: Error) => ({ at, status: 0, error: error.message }),
        ),
      );
    }
  })();
  await during(started);
  await load;
  return Promise.all(sent);
}

/** The requests that got no answer or a 5xx (with nginx's error log on the console, to say why). */
function failed(outcomes: readonly Sent[]): Sent[] {
  const bad = outcomes.filter((sent) => sent.status === 0 || sent.status >= 500);
  if (bad.length > 0) console.error(`nginx's error log:\n${balancer.errors().slice(-4000)}`);
  return bad;
}

describe.skipIf(skip)("three nodes behind nginx under a steady load", () => {
  it("lose no request started after one node is killed with SIGKILL", async () => {
    const [, victim] = nodes as Node[];
    let killedAt = 0;
    const outcomes = await steadyLoad(100, 4, async (started) => {
      await Bun.sleep(1000);
      await victim?.kill();
      killedAt = performance.now() - started;
    });
    const after = outcomes.filter((sent) => sent.at >= killedAt);
    expect(after.length).toBeGreaterThan(250);
    expect(failed(after)).toEqual([]);
    expect(failed(outcomes)).toEqual([]); // even those in flight at the kill: nginx retried them
    await victim?.start();
    await Bun.sleep(FAIL_TIMEOUT * 1000 + 500); // back in nginx's rotation for the next test
  }, 30_000);

  it("answer every request during a rolling restart, none with a 5xx", async () => {
    const outcomes = await steadyLoad(100, 15, async () => {
      for (const each of nodes as Node[]) {
        expect(await each.stop()).toBe(0); // drained: a clean exit
        await each.start();
        // as an orchestrator waits for readiness: here, until nginx sends it requests again
        await Bun.sleep(FAIL_TIMEOUT * 1000 + 500);
      }
    });
    expect(outcomes.length).toBe(1500);
    expect(failed(outcomes)).toEqual([]);
    expect(outcomes.every((sent) => sent.status === 200)).toBe(true);
  }, 60_000);
});
