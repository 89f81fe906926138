/**
 * Reading the lines of every node of a cluster: this node's from its buffer, each other node's
 * from its `<base>/peer/logs` at the address it recorded in the cluster's nodes table, asked at
 * the same time with the cluster token. A node that does not answer is listed as missing with
 * the reason; it never fails the read of the others.
 */
import { askPeers, type FanoutPeer } from "@buntime/sdk";
import { z } from "zod";
import type { StoredLogEntry } from "./log-record.ts";

/** A node as the cluster knows it: its name and where it is reached, if it recorded that. */
export type ClusterPeer = FanoutPeer;

/**
 * The most a node's answer may have: a full page of lines (up to `capacity` of them) fits, a
 * node sending more is listed missing rather than filling this node's memory.
 */
export const PEER_LOGS_BYTES = 32 * 1024 * 1024;

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

/** One stored line as the API answers it (`StoredLogEntry`). */
export const storedEntrySchema = z.object({
  seq: z.number().describe("the line's number on its node, counting from 1"),
  node: z.string(),
  time: z.string().describe("ISO time"),
  level: z.enum(["debug", "info", "warn", "error"]),
  namespace: z.string(),
  message: z.string(),
  fields: z.record(z.string(), z.unknown()).optional(),
});

/**
 * One node's answer (`LocalAnswer`). A peer is trusted (it knows the token), but what it sends
 * is still checked against this before it is shown.
 */
export const localAnswerSchema = z.object({
  entries: z.array(storedEntrySchema).describe("the newest matching lines, oldest first"),
  truncated: z.boolean().describe("true when more lines matched than the limit"),
  recorded: z.number().describe("lines recorded since the node started"),
  capacity: z.number().describe("lines the node keeps"),
});

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
  const others = names.filter((node) => node !== options.self);
  const peers = others.flatMap((node) => known.find((peer) => peer.node === node) ?? []);
  const answers = await askPeers(peers, {
    path: `${options.base.replace(/\/$/, "")}/peer/logs?${query}`,
    token: { value: options.token, setting: "cluster.token" },
    timeoutMs: options.timeoutMs,
    maxBytes: PEER_LOGS_BYTES,
    schema: localAnswerSchema,
    expected: "a logs answer",
  });
  const asked = new Map(answers.map((answer) => [answer.node, answer]));
  const entries: StoredLogEntry[] = [];
  let truncated = false;
  const nodes: NodeAnswer[] = [];
  for (const node of names) {
    const answer =
      node === options.self ? { status: "ok" as const, value: options.local() } : asked.get(node);
    if (answer === undefined) {
      nodes.push({ node, status: "missing", reason: "no node of that name in the cluster" });
    } else if (answer.status === "missing") {
      nodes.push({ node, status: "missing", reason: answer.reason });
    } else {
      const { recorded, capacity } = answer.value;
      nodes.push({ node, status: "ok", recorded, capacity });
      entries.push(...answer.value.entries);
      truncated ||= answer.value.truncated;
    }
  }
  entries.sort(byTime);
  if (entries.length > limit) truncated = true;
  return { entries: entries.slice(-limit), truncated, nodes, ...(error === undefined ? {} : { error }) };
}
