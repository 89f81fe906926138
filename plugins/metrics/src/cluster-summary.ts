/**
 * The cluster-wide summary of the metrics page: per node, the request and 5xx counts, the merged
 * latency histogram and the requests in flight, read from this node's counters and from each
 * other node's `<base>/peer/summary` (with the scrape token) at the address it recorded in the
 * cluster's nodes table. The page turns two summaries into rates; a node that does not answer is
 * listed missing with the reason, never failing the others.
 */
import { askPeers, type FanoutPeer } from "@buntime/sdk";
import { z } from "zod";
import type { HttpMetrics } from "./http-metrics.ts";

/** One node's counters since it started, at `time`. */
export interface NodeSummary {
  readonly node: string;
  /** Epoch milliseconds. */
  readonly time: number;
  readonly requests: number;
  /** Answers with a 5xx status. */
  readonly errors: number;
  /** Upper bounds of the latency buckets, in seconds. */
  readonly bounds: readonly number[];
  /** Requests per latency bucket over every route (not cumulative); the last is past the largest bound. */
  readonly buckets: readonly number[];
  readonly inFlight: number;
}

/** A node in the cluster summary: its counters, or why they are missing. */
export type NodeEntry =
  | (NodeSummary & { readonly status: "ok" })
  | { readonly node: string; readonly status: "missing"; readonly reason: string };

/** The answer of `GET <base>/api/cluster`. */
export interface ClusterSummary {
  /** Every node, in name order. */
  readonly nodes: readonly NodeEntry[];
  /** Why the cluster's list of nodes could not be read (only this node is listed then). */
  readonly error?: string;
}

/** A node as the cluster knows it. */
export type SummaryPeer = FanoutPeer;

/** The most a node's summary may have: a few hundred bytes in practice, 65 buckets at most. */
const SUMMARY_BYTES = 64 * 1024;

/** What the cluster summary needs. */
export interface ClusterSummaryOptions {
  readonly self: string;
  readonly base: string;
  /** The scrape token, the same on every node; without it, other nodes are missing. */
  readonly scrapeToken?: string;
  readonly timeoutMs: number;
  /** Every node of the cluster; undefined on a kernel that is no node of one. */
  peers(): Promise<readonly SummaryPeer[] | undefined>;
}

/** This node's counters now. */
export function summarize(node: string, http: HttpMetrics): NodeSummary {
  const buckets = new Array<number>(http.bounds.length + 1).fill(0);
  let requests = 0;
  let errors = 0;
  for (const series of http.series()) {
    for (const [status, count] of series.statuses) {
      requests += count;
      if (status >= 500) errors += count;
    }
    series.buckets.forEach((count, index) => {
      buckets[index] = (buckets[index] as number) + count;
    });
  }
  return { node, time: Date.now(), requests, errors, bounds: http.bounds, buckets, inFlight: http.inFlight };
}

const count = z.number().min(0);
const summarySchema = z.object({
  node: z.string(),
  time: z.number(),
  requests: count,
  errors: count,
  bounds: z.array(z.number()).max(64),
  buckets: z.array(count).max(65),
  inFlight: count,
});

/** Every node's summary: this node's counters and each other node's, asked at the same time. */
export async function clusterSummary(
  http: HttpMetrics,
  options: ClusterSummaryOptions,
): Promise<ClusterSummary> {
  let peers: readonly SummaryPeer[] = [];
  let error: string | undefined;
  try {
    peers = (await options.peers()) ?? [];
  } catch (cause) {
    error = `the cluster's nodes cannot be read: ${(cause as Error).message}`;
  }
  const answers = await askPeers(
    peers.filter((peer) => peer.node !== options.self),
    {
      path: `${options.base.replace(/\/$/, "")}/peer/summary`,
      token: { value: options.scrapeToken, setting: "scrapeToken" },
      timeoutMs: options.timeoutMs,
      maxBytes: SUMMARY_BYTES,
      schema: summarySchema,
      expected: "a metrics summary",
    },
  );
  const nodes: NodeEntry[] = [
    { ...summarize(options.self, http), status: "ok" },
    ...answers.map(
      (answer): NodeEntry =>
        answer.status === "ok" ? { ...answer.value, node: answer.node, status: "ok" } : answer,
    ),
  ];
  nodes.sort((a, b) => a.node.localeCompare(b.node));
  return { nodes, ...(error === undefined ? {} : { error }) };
}
