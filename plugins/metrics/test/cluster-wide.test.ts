/**
 * Logs and metrics cluster-wide (docs/plugins/logs.md#every-node-of-a-cluster-nodeall,
 * docs/plugins/metrics.md#every-node-of-a-cluster): three real kernel nodes on one real
 * PostgreSQL, each with the logs plugin (and its cluster token) and the metrics plugin (and its
 * scrape token) behind the auth plugin (as in the default distribution), each recording its
 * address in the cluster's nodes table. A request served by one
 * node is read through another, in the logs and in the nodes summary; every sample carries its
 * node; a stopped node is listed as missing; a node's lines and summary are refused to anyone
 * without the token.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestKernel } from "@buntime/kernel/testing";
import type { ClusterLogResult } from "@buntime/plugin-logs";
import { CHROMIUM_PATH, launchTestBrowser } from "@buntime/test-kit/browser";
import { freeLoopbackPort } from "@buntime/test-kit/ports";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";
import type { ClusterSummary } from "../src/index.ts";
import {
  asAdmin,
  LOGS_DIR,
  METRICS_DIR,
  type Node,
  read,
  SCRAPE_TOKEN,
  startClusterNode,
  summary,
  TOKEN,
} from "./cluster-nodes.ts";
import { documented, scrapedTargets } from "./doc-blocks.ts";

const nodes: Node[] = [];
const postgres = await startTestPostgres();
let a: Node;
let b: Node;
let c: Node;

beforeAll(async () => {
  a = await startClusterNode("a", postgres.url);
  nodes.push(a);
  b = await startClusterNode("b", postgres.url);
  nodes.push(b);
  c = await startClusterNode("c", postgres.url);
  nodes.push(c);
}, 60_000);

afterAll(async () => {
  for (const node of nodes) await node.kernel.stop();
});

describe("metrics cluster-wide", () => {
  it("labels every sample of a node's /metrics with its node name", async () => {
    const response = await fetch(new URL("/metrics", b.url), {
      headers: { authorization: `Bearer ${SCRAPE_TOKEN}` },
    });
    expect(response.status).toBe(200);
    const samples = (await response.text()).split("\n").filter((line) => line && !line.startsWith("#"));
    expect(samples.length).toBeGreaterThan(10);
    expect(samples.filter((line) => !line.includes('{node="b"'))).toEqual([]);
  });

  const CLUSTER_DOC = "## Every node of a cluster";
  it.skipIf(skipWithoutSystemTool({ command: "prometheus", debianPackage: "prometheus" }))(
    "is scraped node by node by a real Prometheus with the documented configuration",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "cluster-prometheus-"));
      writeFileSync(join(dir, "buntime-scrape-token"), `${SCRAPE_TOKEN}\n`);
      const targets = [a, b, c].map((node) => `"${new URL(node.url).host}"`).join(", ");
      const config = documented(CLUSTER_DOC, "yaml", 1)
        .replace("scrape_interval: 15s", "scrape_interval: 1s")
        .replace('"10.0.3.7:8000", "10.0.3.8:8000", "10.0.3.9:8000"', targets);
      expect(config).toContain(targets);
      writeFileSync(join(dir, "prometheus.yml"), config);
      const web = `127.0.0.1:${freeLoopbackPort()}`;
      const prometheus = Bun.spawn(
        [
          "prometheus",
          `--config.file=${join(dir, "prometheus.yml")}`,
          `--storage.tsdb.path=${join(dir, "data")}`,
          `--web.listen-address=${web}`,
        ],
        { cwd: dir, stdout: "ignore", stderr: "ignore" },
      );
      try {
        const scraped = await scrapedTargets(`http://${web}`, 3);
        expect(scraped.map((target) => [target.health, target.lastError])).toEqual([
          ["up", ""],
          ["up", ""],
          ["up", ""],
        ]);
        // what a query sees: one series per node
        let nodesSeen: string[] = [];
        for (let round = 0; round < 100 && nodesSeen.length < 3; round++) {
          const query = encodeURIComponent("count by (node) (buntime_http_requests_in_flight)");
          const answer = (await (await fetch(`http://${web}/api/v1/query?query=${query}`)).json()) as {
            data: { result: { metric: { node: string } }[] };
          };
          nodesSeen = answer.data.result.map((series) => series.metric.node).sort();
          if (nodesSeen.length < 3) await Bun.sleep(200);
        }
        expect(nodesSeen).toEqual(["a", "b", "c"]);
      } finally {
        prometheus.kill("SIGKILL");
      }
      // Debian's Prometheus is built without Kubernetes discovery (promtool refuses
      // kubernetes_sd_configs), so the Kubernetes configuration is only read here, not run
      const kubernetes = Bun.YAML.parse(documented(CLUSTER_DOC, "yaml", 2)) as {
        scrape_configs: {
          kubernetes_sd_configs: { role: string }[];
          relabel_configs: { action?: string }[];
        }[];
      };
      const [job] = kubernetes.scrape_configs;
      expect(job?.kubernetes_sd_configs).toEqual([{ role: "pod" }]);
      expect(job?.relabel_configs.filter((rule) => rule.action === "keep")).toHaveLength(2);
    },
    60_000,
  );

  it("summarizes every node's requests, read through any node", async () => {
    const before = await summary(a);
    const requestsOf = (body: ClusterSummary, name: string) => {
      const node = body.nodes.find((entry) => entry.node === name);
      return node?.status === "ok" ? node.requests : -1;
    };
    for (let n = 0; n < 5; n++) await fetch(new URL("/counted-on-b", b.url));
    const after = await summary(a);
    expect(after.nodes.map((node) => [node.node, node.status])).toEqual([
      ["a", "ok"],
      ["b", "ok"],
      ["c", "ok"],
    ]);
    // the five, and the summary request a made of b for `before` (counted once it was answered)
    expect(requestsOf(after, "b") - requestsOf(before, "b")).toBe(6);
    const onB = after.nodes.find((node) => node.node === "b");
    // in flight on b: the summary request itself
    expect(onB).toMatchObject({ errors: 0, inFlight: 1, bounds: expect.any(Array) });
  });

  it("refuses a node's summary without the scrape token, and answers it with it", async () => {
    const path = new URL("/metrics/peer/summary", b.url);
    const bare = await fetch(path);
    expect(bare.status).toBe(401);
    expect((await bare.json()).error.code).toBe("BUNTIME_ERR_METRICS_SCRAPE_UNAUTHORIZED");
    expect((await fetch(path, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(401);
    const right = await fetch(path, { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } });
    expect(right.status).toBe(200);
    expect((await right.json()).node).toBe("b");
  });
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
    expect((await fetch(new URL("/logs/api/tail?node=all", a.url), { headers: asAdmin })).status).toBe(400);
  });

  it("leaves reading every node to admins: the auth plugin refuses anyone else", async () => {
    for (const path of ["/logs/api/logs?node=all", "/metrics/api/cluster"]) {
      const response = await fetch(new URL(path, a.url));
      expect([path, response.status]).toEqual([path, 401]);
      const token = await fetch(new URL(path, a.url), { headers: { authorization: `Bearer ${TOKEN}` } });
      expect([path, token.status]).toEqual([path, 401]);
    }
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
      const metrics = await summary(a);
      const missingMetrics = Object.fromEntries(
        metrics.nodes.flatMap((node) => (node.status === "missing" ? [[node.node, node.reason]] : [])),
      );
      expect(missingMetrics).toEqual({ ...missing, wrong: "its answer is not a metrics summary" });
    } finally {
      await sql`DELETE FROM buntime_cluster_nodes WHERE node IN ('late', 'wrong', 'moved', 'nowhere')`;
      await sql.close();
      for (const server of [late, wrong, moved]) server.stop(true);
    }
  });

  it("lists a stopped node as missing, and still answers the others' lines and summaries", async () => {
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
    const metrics = await summary(a);
    expect(metrics.nodes.map((node) => [node.node, node.status])).toEqual([
      ["a", "ok"],
      ["b", "ok"],
      ["c", "missing"],
    ]);
  });
});

describe.skipIf(skipWithoutSystemTool({ path: CHROMIUM_PATH, debianPackage: "chromium" }))(
  "the logs and metrics pages",
  () => {
    it("show every node's lines and rates, and name the missing node, in a real browser", async () => {
      const browser = await launchTestBrowser();
      try {
        const page = await browser.newPage({ extraHTTPHeaders: asAdmin });
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

        await page.goto(new URL("/metrics/?every=250", a.url).href);
        const bRow = page.locator("#nodes tr", { hasText: "b" }).first();
        await bRow.waitFor({ timeout: 10_000 });
        await page
          .locator("#nodes td.failed", { hasText: "missing: unreachable" })
          .waitFor({ timeout: 10_000 });
        expect(await page.locator("#nodes tbody tr td:first-child").allTextContents()).toEqual([
          "a",
          "b",
          "c",
        ]);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 30_000);
  },
);

describe("a single kernel", () => {
  it("answers node=all and the nodes summary with itself, and has no peer routes without tokens", async () => {
    const kernel = await createTestKernel({
      plugins: [LOGS_DIR, METRICS_DIR],
      config: {
        plugins: { "@buntime/plugin-logs": { node: "solo" }, "@buntime/plugin-metrics": { node: "solo" } },
      },
    });
    try {
      await kernel.fetch("/alone");
      const body = (await (await kernel.fetch("/logs/api/logs?node=all&q=alone")).json()) as ClusterLogResult;
      expect(body.entries.map((entry) => entry.node)).toEqual(["solo"]);
      expect(body.nodes).toEqual([expect.objectContaining({ node: "solo", status: "ok" })]);
      const peer = await kernel.fetch("/logs/peer/logs", { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(peer.status).toBe(404);
      const nodes = (await (await kernel.fetch("/metrics/api/cluster")).json()) as ClusterSummary;
      expect(nodes.nodes).toEqual([expect.objectContaining({ node: "solo", status: "ok" })]);
      expect((await kernel.fetch("/metrics/peer/summary")).status).toBe(404);
    } finally {
      await kernel.stop();
    }
  });
});
