/**
 * The error codes of several kernel nodes on shared PostgreSQL and Redis: desired state, reconcile and node readiness. Kept apart from errors.ts (which spreads them into the one
 * registry, `ERROR_CODES`) so each file stays small.
 */
import type { ErrorSpec } from "./errors.ts";

/** Codes of this area, with their HTTP status and message template. */
export const CLUSTER_ERROR_CODES = {
  BUNTIME_ERR_CLUSTER_PLUGIN_DEGRADED: {
    status: 503,
    message: "plugin {plugin} is not available on node {node}: {reason}",
  },
  BUNTIME_ERR_CLUSTER_NO_SUPPLY: {
    status: 500,
    message:
      "cluster mode needs a plugin supply to fetch tarballs from a registry ({details}); start the node with buntime start",
  },
  BUNTIME_ERR_CLUSTER_INTEGRITY_MISMATCH: {
    status: 502,
    message: "{plugin}: the tarball's integrity {actual} is not the desired state's {expected}",
  },
  BUNTIME_ERR_CLUSTER_STATE_INVALID: {
    status: 500,
    message: "the cluster's desired state (generation {generation}) is invalid: {details}",
  },
  BUNTIME_ERR_CLUSTER_UNREACHABLE: {
    status: 503,
    message: "cannot read the cluster's nodes from PostgreSQL: {details}",
  },
} as const satisfies Record<string, ErrorSpec>;
