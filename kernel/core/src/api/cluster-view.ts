/**
 * `GET /_/api/cluster`: the cluster view (docs/scale-out.md#cluster-view). What every node last
 * reported (version, applied generation, last reconcile, degraded plugins) next to this node's own
 * readiness, so one request answers "has every node caught up, and if not, why".
 */
import { BuntimeError, type ClusterView, type ClusterViewNode } from "@buntime/sdk";
import type { ClusterNode } from "../cluster/index.ts";

// the shapes are the sdk's (the `kernel:cluster` service answers the same), named here too
export type { ClusterView, ClusterViewNode };

/**
 * Reads the cluster view from `cluster`, or says the kernel is no node of one.
 * @throws BuntimeError `BUNTIME_ERR_CLUSTER_UNREACHABLE` (503) when the nodes cannot be read.
 */
export async function clusterView(cluster: ClusterNode | undefined): Promise<ClusterView> {
  if (!cluster) return { cluster: false };
  const reports = await cluster.nodes().catch((error: unknown) => {
    // a dashboard shows why, rather than an anonymous 500
    throw new BuntimeError(
      "BUNTIME_ERR_CLUSTER_UNREACHABLE",
      { details: error instanceof Error ? error.message : String(error) },
      { cause: error },
    );
  });
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
      ...(report.address === undefined ? {} : { address: report.address }),
    })),
  };
}
