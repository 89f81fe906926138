/**
 * Reading the lines of every node of a cluster: this node's from its buffer, each other node's
 * from its `<base>/peer/logs` at the address it recorded in the cluster's nodes table, asked at
 * the same time with the cluster token. A node that does not answer is listed as missing with
 * the reason; it never fails the read of the others.
 */
import { z } from "zod";
import type { StoredLogEntry } from "./log-record.ts";
import { peerAuthorization } from "./peer-token.ts";

/** A node as the cluster knows it: its name and where it is reached, if it recorded that. */
export interface ClusterPeer {
  readonly node: string;
  readonly address?: string;
}

/** What one node gave, or why it gave nothing. */
export type NodeAnswer =
  | {
      readonly node: string;
      readonly status: "ok";
      /** Lines it recorded since it started, and how many it keeps. */
      readonly recorded: number;
      readonly capacity: number;
    }
  | { readonly node: string; readonly status: "missing"; readonly reason: string };

/** The answer of `GET <base>/api/logs?node=…`. */
export interface ClusterLogResult {
  /** The newest `limit` matching lines of the nodes that answered, oldest first. */
  readonly entries: readonly StoredLogEntry[];
  /** True when some node had more matching lines than `limit`. */
  readonly truncated: boolean;
  /** Every node asked, in name order: answered or missing. */
  readonly nodes: readonly NodeAnswer[];
  /** Why the cluster's list of nodes could not be read (only this node's lines are shown then). */
  readonly error?: string;
}

/** This node's own answer to a query. */
export interface LocalAnswer {
  readonly entries: readonly StoredLogEntry[];
  readonly truncated: boolean;
  readonly recorded: number;
  readonly capacity: number;
}

/** What a cluster read needs. */
export interface ClusterReadOptions {
  /** This node's name: its lines are read from the buffer, not over HTTP. */
  readonly self: string;
  /** The logs plugin's base, the same on every node. */
  readonly base: string;
  /** The cluster token; without it, other nodes are missing ("cluster.token is not set"). */
  readonly token?: string;
  readonly timeoutMs: number;
  /** Every node of the cluster; undefined on a kernel that is no node of one. */
  peers(): Promise<readonly ClusterPeer[] | undefined>;
  /** This node's answer to the query. */
  local(): LocalAnswer;
}

const levelSchema = z.enum(["debug", "info", "warn", "error"]);
/** A peer is trusted (it knows the token), but what it sends is still checked before it is shown. */
const peerAnswerSchema = z.object({
  entries: z.array(
    z.object({
      seq: z.number(),
      node: z.string(),
      time: z.string(),
      level: levelSchema,
      namespace: z.string(),
      message: z.string(),
      fields: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
  truncated: z.boolean(),
  recorded: z.number(),
  capacity: z.number(),
});

function reasonOf(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === "TimeoutError")
    return `no answer within ${timeoutMs} ms`;
  return `unreachable: ${(error as Error).message}`;
}

/** Asks `peer` for its lines matching `query`; resolves with its answer or why it is missing. */
async function askPeer(
  peer: ClusterPeer,
  query: URLSearchParams,
  options: ClusterReadOptions,
): Promise<NodeAnswer & { entries?: readonly StoredLogEntry[]; truncated?: boolean }> {
  const { node, address } = peer;
  if (address === undefined) {
    return {
      node,
      status: "missing",
      reason: "it recorded no address (cluster.address, BUNTIME_NODE_ADDRESS)",
    };
  }
  if (options.token === undefined) {
    return { node, status: "missing", reason: "cluster.token is not set on this node" };
  }
  try {
    const url = new URL(`${options.base.replace(/\/$/, "")}/peer/logs?${query}`, address);
    const response = await fetch(url, {
      headers: { authorization: peerAuthorization(options.token), accept: "application/json" },
      // the token goes to the recorded address only, never where a redirect points
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      return { node, status: "missing", reason: `it answered ${response.status}` };
    }
    const parsed = peerAnswerSchema.safeParse(await response.json());
    if (!parsed.success) return { node, status: "missing", reason: "its answer is not a logs answer" };
    const { entries, truncated, recorded, capacity } = parsed.data;
    return { node, status: "ok", recorded, capacity, entries, truncated };
  } catch (error) {
    return { node, status: "missing", reason: reasonOf(error, options.timeoutMs) };
  }
}

/** Oldest first; lines of one millisecond by node, then by sequence. */
function byTime(a: StoredLogEntry, b: StoredLogEntry): number {
  return Date.parse(a.time) - Date.parse(b.time) || a.node.localeCompare(b.node) || a.seq - b.seq;
}

/**
 * Reads the lines of node `which` (`all` for every node) matching `query` (the query string
 * without `node`), at most `limit` of them, the newest.
 */
export async function readCluster(
  which: string,
  query: URLSearchParams,
  limit: number,
  options: ClusterReadOptions,
): Promise<ClusterLogResult> {
  let known: readonly ClusterPeer[] = [];
  let error: string | undefined;
  try {
    known = (await options.peers()) ?? [];
  } catch (cause) {
    // the nodes table is in PostgreSQL: while it cannot be read, this node still shows its own lines
    error = `the cluster's nodes cannot be read: ${(cause as Error).message}`;
  }
  const names = which === "all" ? [...new Set([options.self, ...known.map((peer) => peer.node)])] : [which];
  names.sort();
  const answers = await Promise.all(
    names.map(async (node) => {
      if (node === options.self) return { node, status: "ok" as const, ...options.local() };
      const peer = known.find((candidate) => candidate.node === node);
      if (!peer) return { node, status: "missing" as const, reason: "no node of that name in the cluster" };
      return askPeer(peer, query, options);
    }),
  );
  const entries: StoredLogEntry[] = [];
  let truncated = false;
  const nodes: NodeAnswer[] = [];
  for (const answer of answers) {
    if (answer.status === "missing") {
      nodes.push(answer);
      continue;
    }
    const { entries: lines = [], truncated: cut = false, ...summary } = answer;
    nodes.push({ node: summary.node, status: "ok", recorded: summary.recorded, capacity: summary.capacity });
    entries.push(...lines);
    truncated ||= cut;
  }
  entries.sort(byTime);
  if (entries.length > limit) truncated = true;
  return { entries: entries.slice(-limit), truncated, nodes, ...(error === undefined ? {} : { error }) };
}
