/**
 * Kernel nodes for the cluster-wide logs and metrics tests: each a kernel of this process on a
 * loopback port of its own (recorded as its `cluster.address`), with the storage, auth, logs and
 * metrics plugins from their folders and the same tokens, on one PostgreSQL.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel } from "@buntime/kernel";
import type { ClusterLogResult } from "@buntime/plugin-logs";
import { freeLoopbackPort } from "@buntime/test-kit/ports";
import type { ClusterSummary } from "../src/index.ts";

export const METRICS_DIR = join(import.meta.dir, "..");
export const LOGS_DIR = join(import.meta.dir, "..", "..", "logs");
/** The auth plugin guards every node as in the default distribution (logs and metrics data for admins). */
const AUTH_DIRS = ["storage", "auth"].map((name) => join(import.meta.dir, "..", "..", name));
/** The kernel's admin token: what the reads through a node are made with. */
const ADMIN = "ad".repeat(32);
export const asAdmin = { authorization: `Bearer ${ADMIN}` };
/** The logs plugin's cluster token, the same on every node. */
export const TOKEN = "c1".repeat(32);
/** The metrics plugin's scrape token, the same on every node. */
export const SCRAPE_TOKEN = "5c".repeat(32);

/** A running node. */
export interface Node {
  readonly name: string;
  readonly url: string;
  readonly kernel: ReturnType<typeof createKernel>;
}

/** `path` read through `node` as an admin: its status and its JSON. */
export async function read(node: Node, path: string): Promise<{ status: number; body: ClusterLogResult }> {
  const response = await fetch(new URL(path, node.url), { headers: asAdmin });
  return { status: response.status, body: (await response.json()) as ClusterLogResult };
}

/** The nodes summary read through `node` as an admin. */
export async function summary(node: Node): Promise<ClusterSummary> {
  const response = await fetch(new URL("/metrics/api/cluster", node.url), { headers: asAdmin });
  return (await response.json()) as ClusterSummary;
}

/** Starts node `name` on `postgres`; it is in the cluster's nodes table once this resolves. */
export async function startClusterNode(name: string, postgres: string): Promise<Node> {
  const port = freeLoopbackPort();
  const kernel = createKernel({
    config: {
      port,
      hostname: "127.0.0.1",
      home: mkdtempSync(join(tmpdir(), `cluster-wide-${name}-`)),
      adminToken: ADMIN,
      pluginDirs: [...AUTH_DIRS, LOGS_DIR, METRICS_DIR],
      plugins: {
        // as docs/plugins/metrics.md sets it up for Prometheus: the scrape token decides who reads /metrics
        "@buntime/plugin-auth": { publicPaths: ["/metrics"] },
        "@buntime/plugin-logs": { cluster: { token: TOKEN, timeout: 1000 } },
        "@buntime/plugin-metrics": { scrapeToken: SCRAPE_TOKEN, clusterTimeout: 1000 },
      },
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
  return { name, url: String(await kernel.listen()), kernel };
}
