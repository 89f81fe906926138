/**
 * Three kernel nodes (`buntime start` processes) behind nginx on one PostgreSQL and one Redis,
 * started at once on an empty database: what one node does, the others see (rate limits, keyval,
 * sessions and API keys, a plugin installed through one node, scheduled jobs).
 */
import { afterAll, describe, expect, it } from "bun:test";
import { startNginx } from "@buntime/test-kit/nginx";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { startRedisServer } from "@buntime/test-kit/redis";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";
import { SQL } from "bun";
import {
  ADMIN_PASSWORD,
  FIRST_PARTY,
  type Node,
  node,
  PROBE_EVERY,
  pluginFolder,
  writeProbe,
} from "./scale-out-nodes.ts";
import { cleanUp, cli, liveRegistry, seed, workspace, writePlugin } from "./support.ts";

const noNginx = skipWithoutSystemTool({ command: "nginx", debianPackage: "nginx" });
const noRedis = !noNginx && skipWithoutSystemTool({ command: "redis-server", debianPackage: "redis-server" });
const skip = noNginx || noRedis;

/** Requests the global rate limit allows per minute, across every node. */
const LIMIT = 150;

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await cleanUp();
});

async function cluster() {
  const postgres = await startTestPostgres();
  const redis = await startRedisServer();
  const sql = new SQL(postgres.url);
  cleanups.push(() => sql.close());
  await sql`CREATE TABLE probe_runs (scope text, tick bigint, node text, ran_by text)`;
  const dir = workspace();
  const registry = await liveRegistry(dir);
  const shared = {
    postgres: postgres.url,
    redis: redis.url,
    registry: registry.url,
    plugins: [...FIRST_PARTY, pluginFolder("proxy"), writeProbe(dir)],
    settings: {
      "@buntime/plugin-ratelimit": {
        rules: [{ name: "global", path: "/probe/limited", key: "route", limit: LIMIT, window: "1m" }],
      },
    },
  };
  const nodes = ["a", "b", "c"].map((name) => node(name, shared, cleanups));
  // three cold starts at once on an empty database
  await Promise.all(nodes.map((each) => each.start()));
  const balancer = await startNginx({ upstreams: nodes.map((each) => each.url) });
  return { nodes, balancer, sql, dir, registry };
}

const { nodes, balancer, sql, dir, registry } = skip
  ? ({} as Awaited<ReturnType<typeof cluster>>)
  : await cluster();
const [a, b, c] = (nodes ?? []) as Node[];

/** Signs in as admin on `target`; resolves with the session cookie. */
async function signIn(target: Node): Promise<string> {
  const login = await fetch(`${target.url}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
  });
  expect(login.status).toBe(200);
  return (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

/** Polls `check` every 25 ms for up to `ms`; resolves with how long it took, or throws. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < ms) {
    if (await check()) return performance.now() - started;
    await Bun.sleep(25);
  }
  throw new Error(`not within ${ms} ms`);
}

describe.skipIf(skip)("three nodes behind nginx share their state", () => {
  it("start at once on an empty database, each with every plugin running", async () => {
    for (const each of [a, b, c] as Node[]) {
      const listed = (await (await fetch(`${each.url}/_/api/plugins`)).json()) as {
        plugins: { name: string; status: string; error?: string }[];
      };
      const failed = listed.plugins.filter((plugin) => plugin.status !== "running");
      expect(failed).toEqual([]);
      expect(listed.plugins.map((plugin) => plugin.name).sort()).toEqual(
        [
          "@buntime/plugin-auth",
          "@buntime/plugin-proxy",
          "@buntime/plugin-ratelimit",
          "@buntime/plugin-storage",
          "probe",
        ].sort(),
      );
    }
    const tables = await sql`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'buntime_kv'`;
    expect(tables[0].n).toBe(1);
  });

  it("hold one global rate limit across the nodes (within 2%)", async () => {
    const statuses: number[] = [];
    const answered = new Set<string>();
    const send = async () => {
      const response = await fetch(`${balancer.url}/probe/limited`);
      statuses.push(response.status);
      if (response.status === 200) answered.add(await response.text());
      else await response.arrayBuffer();
    };
    // 300 requests, 10 at a time, spread by nginx over the three nodes
    for (let round = 0; round < 30; round++) await Promise.all(Array.from({ length: 10 }, send));
    const allowed = statuses.filter((status) => status === 200).length;
    expect(Math.abs(allowed - LIMIT)).toBeLessThanOrEqual(LIMIT * 0.02);
    expect(statuses.filter((status) => status === 429)).toHaveLength(300 - allowed);
    expect([...answered].sort()).toEqual(["hello from a", "hello from b", "hello from c"]);
  });

  it("read on one node a keyval write made through another", async () => {
    const put = await fetch(`${a?.url}/probe/kv/greeting`, { method: "PUT", body: "written on a" });
    expect(put.status).toBe(204);
    expect(await (await fetch(`${b?.url}/probe/kv/greeting`)).text()).toBe("written on a");
    expect(await (await fetch(`${c?.url}/probe/kv/greeting`)).text()).toBe("written on a");
  });

  it("accept a session and an API key made on one node on the others, and refuse a key revoked (or a session ended) on one within 1 s on another", async () => {
    const cookie = await signIn(a as Node);
    const me = await fetch(`${b?.url}/auth/me`, { headers: { cookie } });
    expect(((await me.json()) as { user: { username: string } }).user.username).toBe("admin");

    const created = await fetch(`${a?.url}/auth/api/keys`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ name: "e2e" }),
    });
    expect(created.status).toBe(201);
    const { id, key } = (await created.json()) as { id: string; key: string };
    const asKey = (target: Node | undefined) =>
      fetch(`${target?.url}/auth/me`, { headers: { authorization: `Bearer ${key}` } });
    expect((await asKey(c)).status).toBe(200);

    const revoked = await fetch(`${a?.url}/auth/api/keys/${id}`, { method: "DELETE", headers: { cookie } });
    expect(revoked.status).toBe(204);
    const took = await within(1000, async () => (await asKey(b)).status === 401);
    expect(took).toBeLessThan(1000);
    expect((await asKey(c)).status).toBe(401);

    // a session ended on A is over on B too
    expect((await fetch(`${a?.url}/auth/logout`, { method: "POST", headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${b?.url}/auth/me`, { headers: { cookie } })).status).toBe(401);
  });

  it("serve a proxy rule added through one node on every node within a second", async () => {
    const upstream = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Response("from upstream"),
    });
    cleanups.push(() => upstream.stop(true));
    const cookie = await signIn(c as Node);
    const added = await fetch(`${c?.url}/proxy/api/rules`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ id: "up", path: "/up/*", upstream: upstream.url.href.replace(/\/$/, "") }),
    });
    expect(added.status).toBe(201);
    for (const other of [a, b]) {
      const took = await within(1500, async () => (await fetch(`${other?.url}/up/x`)).status === 200);
      expect(took).toBeLessThan(1200);
    }
    for (let i = 0; i < 6; i++)
      expect(await (await fetch(`${balancer.url}/up/x`)).text()).toBe("from upstream");
  });

  it("answer on node B and through nginx, within 5 s, for a plugin installed through node A", async () => {
    await seed(registry, writePlugin(dir, { name: "@e2e/hello", version: "1.0.0" }));
    const run = await cli(
      ["plugin", "install", "@e2e/hello", "--registry", registry.url, "--home", a?.home ?? ""],
      dir,
    );
    expect(run.stderr).not.toContain("BUNTIME_ERR");
    expect(run.code).toBe(0);
    expect(await (await fetch(`${a?.url}/hello`)).text()).toBe("@e2e/hello@1.0.0");
    const took = await within(
      5000,
      async () => (await (await fetch(`${b?.url}/hello`)).text()) === "@e2e/hello@1.0.0",
    );
    expect(took).toBeLessThan(5000);
    await within(5000, async () => (await (await fetch(`${c?.url}/hello`)).text()) === "@e2e/hello@1.0.0");
    for (let i = 0; i < 6; i++)
      expect(await (await fetch(`${balancer.url}/hello`)).text()).toBe("@e2e/hello@1.0.0");
  }, 30_000);

  it("run a global job once per tick across the nodes, and a local job on each node every tick", async () => {
    const ticks = 6;
    await Bun.sleep(PROBE_EVERY * (ticks + 1));
    const [global] = await sql`SELECT count(*)::int AS runs, count(DISTINCT tick)::int AS ticks
        FROM probe_runs WHERE scope = 'global'`;
    expect(global.ticks).toBeGreaterThanOrEqual(ticks);
    expect(global.runs).toBe(global.ticks); // none twice
    const local = await sql`SELECT node, count(*)::int AS runs, count(DISTINCT tick)::int AS ticks
      FROM probe_runs WHERE scope = 'local' GROUP BY node ORDER BY node`;
    expect(local.map((row: { node: string }) => row.node)).toEqual(["a", "b", "c"]);
    for (const row of local) {
      expect(row.ticks).toBeGreaterThanOrEqual(ticks);
      expect(row.runs).toBe(row.ticks);
    }
  });
});
