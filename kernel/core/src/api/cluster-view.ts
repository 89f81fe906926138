/**
 * `GET /_/api/cluster`: the cluster view (docs/scale-out.md#cluster-view). What every node last
 * reported (version, applied generation, last reconcile, degraded plugins) next to this node's own
 * readiness, so one request answers "has every node caught up, and if not, why".
 */
import type { ClusterNode } from "../cluster/index.ts";

/** One node as the cluster view lists it. */
export interface ClusterViewNode {
  readonly node: string;
  readonly version: string;
  readonly appliedGeneration: number;
  /** ISO 8601. */
  readonly lastReconcile: string;
  /** True when it applied the newest generation this node knows of. */
  readonly current: boolean;
  readonly degraded: readonly { plugin: string; reason: string }[];
}

/** The answer of `GET /_/api/cluster`: `{ cluster: false }` on a kernel without a `cluster` section. */
export type ClusterView =
  | { readonly cluster: false }
  | {
      readonly cluster: true;
      /** This node's name. */
      readonly node: string;
      /** The newest generation this node knows of. */
      readonly generation: number;
      /** Whether this node applied it (its readiness check). */
      readonly ready: boolean;
      /** Why this node is not ready, or what is degraded while ready. */
      readonly reason?: string;
      readonly nodes: readonly ClusterViewNode[];
    };

/** Reads the cluster view from `cluster`, or says the kernel is no node of one. */
export async function clusterView(cluster: ClusterNode | undefined): Promise<ClusterView> {
  if (!cluster) return { cluster: false };
  const reports = await cluster.nodes();
  const state = cluster.ready();
  // a node may have published a generation this node has not heard of yet: the newest wins
  const generation = Math.max(state.generation, ...reports.map((report) => report.appliedGeneration));
  return {
    cluster: true,
    node: cluster.name,
    generation,
    ready: state.ok,
    ...(state.reason === undefined ? {} : { reason: state.reason }),
    nodes: reports.map((report) => ({
      node: report.node,
      version: report.version,
      appliedGeneration: report.appliedGeneration,
      lastReconcile: report.lastReconcile.toISOString(),
      current: report.appliedGeneration >= generation,
      degraded: report.degraded,
    })),
  };
}
