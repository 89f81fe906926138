/**
 * Several kernel nodes on one desired state (docs/scale-out.md): PostgreSQL holds the plugin set
 * as numbered generations, hints (Redis or LISTEN/NOTIFY) wake the nodes, each node reconciles
 * and is ready once it applied the current generation.
 */
import { BuntimeError, type Logger } from "@buntime/sdk";
import type { ReadinessCheck } from "../api/health.ts";
import type { ClusterConfig } from "../config/cluster.ts";
import { type ClusterNode, createClusterNode } from "./node.ts";
import type { HostPort } from "./reconcile.ts";
import type { ClusterSupply } from "./supply.ts";

export type { ClusterNode, ClusterReadiness } from "./node.ts";
export type { HostPort } from "./reconcile.ts";
export type { DesiredState, NodeReport } from "./store.ts";
export { ClusterStore } from "./store.ts";
export type { ClusterSupply, DesiredPlugin } from "./supply.ts";

/**
 * The node a kernel runs as when its config has a `cluster` section; undefined without one.
 * @throws BuntimeError `BUNTIME_ERR_CLUSTER_NO_SUPPLY` when there is a section but no supply.
 */
export function joinCluster(
  config: ClusterConfig | undefined,
  supply: ClusterSupply | undefined,
  parts: { home: string; kernelVersion: string; host: HostPort; logger: Logger },
): ClusterNode | undefined {
  if (!config) return undefined;
  if (!supply) {
    throw new BuntimeError("BUNTIME_ERR_CLUSTER_NO_SUPPLY", {
      details: "createKernel was given a cluster section but no clusterSupply",
    });
  }
  return createClusterNode({ config, supply, ...parts, logger: parts.logger.child("kernel:cluster") });
}

/** The readiness check of a cluster node: ready once it applied the current generation. */
export function clusterReadinessCheck(node: ClusterNode): ReadinessCheck {
  return {
    name: "cluster",
    check() {
      const state = node.ready();
      return state.ok || (state.reason ?? `applying generation ${state.generation}`);
    },
  };
}
