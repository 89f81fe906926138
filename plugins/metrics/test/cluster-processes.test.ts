/**
 * Logs and metrics across nodes as a container runs them: two `buntime start` processes set up
 * by environment variables only (BUNTIME_NODE, BUNTIME_NODE_ADDRESS, BUNTIME_CLUSTER_*), the two
 * plugins from their folders with the tokens in buntime.config.json, on one real PostgreSQL. A
 * request served by b is read through a with node b, b's samples say node="b", and b killed with
 * SIGKILL is listed missing by a.
 */
import { afterAll, expect, it } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterLogResult } from "@buntime/plugin-logs";
import { untilListening } from "@buntime/test-kit/listening";
import { freeLoopbackPort } from "@buntime/test-kit/ports";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import type { ClusterSummary } from "../src/index.ts";

const REPO = join(import.meta.dir, "..", "..", "..");
const CLI = join(REPO, "kernel", "cli", "bin", "buntime.ts");
const TOKEN = "7e".repeat(32);
const SCRAPE_TOKEN = "3a".repeat(32);

const postgres = await startTestPostgres();
const dir = mkdtempSync(join(tmpdir(), "cluster-processes-"));
writeFileSync(
  join(dir, "buntime.config.json"),
  JSON.stringify({
    plugins: {
      "@buntime/plugin-logs": { cluster: { token: TOKEN, timeout: 1000 } },
      "@buntime/plugin-metrics": { scrapeToken: SCRAPE_TOKEN, clusterTimeout: 1000 },
    },
  }),
);
const children: Bun.Subprocess[] = [];
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await Promise.all(children.map((child) => child.exited));
});

/** Starts node `name` as its own process, on a port of its own, its address in BUNTIME_NODE_ADDRESS. */
async function startNode(name: string): Promise<{ url: URL; child: Bun.Subprocess }> {
  const port = freeLoopbackPort();
  const child = Bun.spawn(
    [
      process.execPath,
      CLI,
      "start",
      ...["--port", String(port), "--hostname", "127.0.0.1", "--home", join(dir, `home-${name}`)],
      ...["--plugins", join(REPO, "plugins", "logs"), "--plugins", join(REPO, "plugins", "metrics")],
    ],
    {
      cwd: dir,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        BUNTIME_NODE: name,
        BUNTIME_NODE_ADDRESS: `http://127.0.0.1:${port}`,
        BUNTIME_CLUSTER_POSTGRES: postgres.url,
        BUNTIME_CLUSTER_RECONCILE_INTERVAL: "60000",
        // nothing is installed, so nothing is fetched: a closed port will do
        BUNTIME_REGISTRY: `http://127.0.0.1:${freeLoopbackPort()}/`,
      },
    },
  );
  children.push(child);
  try {
    return { url: (await untilListening(child.stdout, 30_000)).url, child };
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`node ${name} did not start: ${error}${await new Response(child.stderr).text()}`);
  }
}

it("reads b's lines and counters through a, labels b's samples, and lists b missing once killed", async () => {
  const a = await startNode("a");
  const b = await startNode("b");
  // a node is in the nodes table once it reconciled, which it does before it listens
  expect((await fetch(new URL("/from-b", b.url))).status).toBe(404);

  const logs = (await (
    await fetch(new URL("/logs/api/logs?node=all&q=from-b", a.url))
  ).json()) as ClusterLogResult;
  expect(logs.entries.map((entry) => [entry.node, entry.message])).toEqual([["b", "GET /from-b 404"]]);
  expect(logs.nodes.map((node) => [node.node, node.status])).toEqual([
    ["a", "ok"],
    ["b", "ok"],
  ]);

  const text = await (
    await fetch(new URL("/metrics", b.url), { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } })
  ).text();
  expect(text).toContain('buntime_http_requests_total{node="b",route="other",method="GET",status="404"} 1');

  b.child.kill("SIGKILL");
  await b.child.exited;
  const after = (await (
    await fetch(new URL("/logs/api/logs?node=all&q=from-b", a.url))
  ).json()) as ClusterLogResult;
  expect(after.entries).toEqual([]);
  expect(after.nodes[1]).toMatchObject({
    node: "b",
    status: "missing",
    reason: expect.stringContaining("unreachable"),
  });
  const summary = (await (await fetch(new URL("/metrics/api/cluster", a.url))).json()) as ClusterSummary;
  expect(summary.nodes.map((node) => [node.node, node.status])).toEqual([
    ["a", "ok"],
    ["b", "missing"],
  ]);
}, 90_000);
