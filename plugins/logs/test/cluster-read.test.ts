/**
 * Reading logs cluster-wide (docs/plugins/logs.md#every-node-of-a-cluster): three real kernel
 * nodes on one real PostgreSQL, each with the logs plugin and the cluster token, each recording
 * its address in the cluster's nodes table. A request served by one node is read through
 * another; a stopped node is listed as missing; a node's lines are refused to anyone without the
 * token.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel } from "@buntime/kernel";
import { createTestKernel } from "@buntime/kernel/testing";
import type { ClusterLogResult } from "@buntime/plugin-logs";
import { CHROMIUM_PATH, launchTestBrowser } from "@buntime/test-kit/browser";
import { freeLoopbackPort } from "@buntime/test-kit/ports";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";

const PLUGIN_DIR = join(import.meta.dir, "..");
const TOKEN = "c1".repeat(32);

type Kernel = ReturnType<typeof createKernel>;
interface Node {
  readonly name: string;
  readonly url: string;
  readonly kernel: Kernel;
}

const nodes: Node[] = [];
const read = async (node: Node, path: string) => {
  const response = await fetch(new URL(path, node.url));
  return { status: response.status, body: (await response.json()) as ClusterLogResult };
};

async function startNode(name: string, postgres: string, settings: object): Promise<Node> {
  const port = freeLoopbackPort();
  const kernel = createKernel({
    config: {
      port,
      hostname: "127.0.0.1",
      home: mkdtempSync(join(tmpdir(), `logs-cluster-${name}-`)),
      pluginDirs: [PLUGIN_DIR],
      plugins: { "@buntime/plugin-logs": settings },
      cluster: { node: name, postgres, address: `http://127.0.0.1:${port}`, reconcileInterval: 60_000 },
    },
    clusterSupply: {
      source: "nowhere",
      fetchTarball: () => Promise.reject(new Error("no registry in this test")),
      unpack() {},
    },
    logSink: () => {},
  });
  await kernel.start();
  const url = String(await kernel.listen());
  const node = { name, url, kernel };
  nodes.push(node);
  return node;
}

const postgres = await startTestPostgres();
let a: Node;
let b: Node;
let c: Node;

beforeAll(async () => {
  const settings = { cluster: { token: TOKEN, timeout: 1000 } };
  a = await startNode("a", postgres.url, settings);
  b = await startNode("b", postgres.url, settings);
  c = await startNode("c", postgres.url, settings);
}, 60_000);

afterAll(async () => {
  for (const node of nodes) await node.kernel.stop();
});

describe("logs read cluster-wide", () => {
  it("shows a request served by node b, read through node a, with node b", async () => {
    expect((await fetch(new URL("/served-by-b", b.url))).status).toBe(404);
    const { status, body } = await read(a, "/logs/api/logs?node=all&namespace=http&q=served-by-b");
    expect(status).toBe(200);
    expect(body.entries).toEqual([
      expect.objectContaining({ node: "b", message: "GET /served-by-b 404", fields: expect.any(Object) }),
    ]);
    expect(body.nodes.map((node) => [node.node, node.status])).toEqual([
      ["a", "ok"],
      ["b", "ok"],
      ["c", "ok"],
    ]);
    // the kernel's own lines carry the node too
    const kernelLines = await read(c, "/logs/api/logs?node=all&namespace=kernel&limit=1000");
    expect(new Set(kernelLines.body.entries.map((entry) => entry.node))).toEqual(new Set(["a", "b", "c"]));
  });

  it("merges every node's lines by time and keeps the newest limit", async () => {
    for (const node of [a, b, c]) await fetch(new URL(`/merge-${node.name}`, node.url));
    const { body } = await read(b, "/logs/api/logs?node=all&q=merge-&limit=2");
    expect(body.entries.map((entry) => entry.node)).toEqual(["b", "c"]);
    expect(body.truncated).toBe(true);
    const one = await read(a, "/logs/api/logs?node=c&q=merge-");
    expect(one.body.entries.map((entry) => entry.node)).toEqual(["c"]);
    expect(one.body.nodes).toEqual([expect.objectContaining({ node: "c", status: "ok" })]);
  });

  it("lists an unknown node as missing, and refuses after and the live tail across nodes", async () => {
    const { status, body } = await read(a, "/logs/api/logs?node=zz");
    expect(status).toBe(200);
    expect(body.nodes).toEqual([
      { node: "zz", status: "missing", reason: "no node of that name in the cluster" },
    ]);
    const after = await read(a, "/logs/api/logs?node=all&after=3");
    expect(after.status).toBe(400);
    expect((after.body as unknown as { error: { code: string } }).error.code).toBe(
      "BUNTIME_ERR_LOGS_QUERY_INVALID",
    );
    expect((await fetch(new URL("/logs/api/tail?node=all", a.url))).status).toBe(400);
  });

  it("refuses a node's lines without the cluster token, and answers them with it", async () => {
    const path = "/logs/peer/logs?q=served-by-b";
    const bare = await fetch(new URL(path, b.url));
    expect(bare.status).toBe(401);
    expect((await bare.json()).error.code).toBe("BUNTIME_ERR_LOGS_PEER_UNAUTHORIZED");
    const wrong = await fetch(new URL(path, b.url), {
      headers: { authorization: `Bearer ${"x".repeat(64)}` },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(new URL(path, b.url), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
    expect((await right.json()).entries).toEqual([expect.objectContaining({ node: "b" })]);
  });

  it("lists a node that answers late, answers no logs or recorded no address as missing, each with why", async () => {
    const late = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => Bun.sleep(5000).then(() => new Response()),
    });
    const wrong = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => Response.json({ entries: "<b>" }),
    });
    const moved = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => Response.redirect("http://127.0.0.1:9/", 302),
    });
    const sql = new Bun.SQL(postgres.url);
    try {
      for (const [node, address] of [
        ["late", late.url.origin],
        ["wrong", wrong.url.origin],
        ["moved", moved.url.origin],
        ["nowhere", null],
      ]) {
        await sql`INSERT INTO buntime_cluster_nodes (node, version, applied_generation, last_reconcile, address)
                  VALUES (${node}, '0.1.0', 0, now(), ${address})`;
      }
      const started = performance.now();
      const { status, body } = await read(a, "/logs/api/logs?node=all&q=served-by-b");
      expect(performance.now() - started).toBeLessThan(3000);
      expect(status).toBe(200);
      expect(body.entries.map((entry) => entry.node)).toEqual(["b"]);
      const missing = Object.fromEntries(
        body.nodes.filter((node) => node.status === "missing").map((node) => [node.node, node.reason]),
      );
      expect(missing).toEqual({
        late: "no answer within 1000 ms",
        wrong: "its answer is not a logs answer",
        moved: "it answered 302",
        nowhere: "it recorded no address (cluster.address, BUNTIME_NODE_ADDRESS)",
      });
    } finally {
      await sql`DELETE FROM buntime_cluster_nodes WHERE node IN ('late', 'wrong', 'moved', 'nowhere')`;
      await sql.close();
      for (const server of [late, wrong, moved]) server.stop(true);
    }
  });

  it("lists a stopped node as missing, and still answers the others' lines", async () => {
    await c.kernel.stop();
    nodes.splice(nodes.indexOf(c), 1);
    const { status, body } = await read(a, "/logs/api/logs?node=all&q=served-by-b");
    expect(status).toBe(200);
    expect(body.entries.map((entry) => entry.node)).toEqual(["b"]);
    expect(body.nodes.slice(0, 2)).toEqual([
      expect.objectContaining({ node: "a", status: "ok" }),
      expect.objectContaining({ node: "b", status: "ok" }),
    ]);
    expect(body.nodes[2]).toMatchObject({
      node: "c",
      status: "missing",
      reason: expect.stringContaining("unreachable"),
    });
  });
});

describe.skipIf(skipWithoutSystemTool({ path: CHROMIUM_PATH, debianPackage: "chromium" }))(
  "the logs page",
  () => {
    it("shows every node's lines with their node, and names the missing node, in a real browser", async () => {
      const browser = await launchTestBrowser();
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (error) => errors.push(error.message));
        await page.goto(new URL("/logs/?q=served-by-b&node=all", a.url).href);
        const row = page.locator("#lines tr", { hasText: "GET /served-by-b 404" });
        await row.waitFor({ timeout: 10_000 });
        expect(await row.locator("td.node").textContent()).toBe("b");
        const status = await page.locator("#status").textContent();
        expect(status).toContain("from a, b");
        expect(status).toContain("missing: c (unreachable");
        expect(await page.inputValue("select[name=node]")).toBe("all");
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 30_000);
  },
);

describe("a single kernel", () => {
  it("answers node=all with its own lines, and has no peer route without a cluster token", async () => {
    const kernel = await createTestKernel({
      plugins: [PLUGIN_DIR],
      config: { plugins: { "@buntime/plugin-logs": { node: "solo" } } },
    });
    try {
      await kernel.fetch("/alone");
      const body = (await (await kernel.fetch("/logs/api/logs?node=all&q=alone")).json()) as ClusterLogResult;
      expect(body.entries.map((entry) => entry.node)).toEqual(["solo"]);
      expect(body.nodes).toEqual([expect.objectContaining({ node: "solo", status: "ok" })]);
      const peer = await kernel.fetch("/logs/peer/logs", { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(peer.status).toBe(404);
    } finally {
      await kernel.stop();
    }
  });
});
