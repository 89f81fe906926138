import { hostname } from "node:os";
import { z } from "zod";

/**
 * Several kernel nodes sharing one desired state (docs/scale-out.md): PostgreSQL holds the
 * plugin set as numbered generations, Redis (when set) carries hints that a new one exists.
 */
export const clusterSchema = z
  .object({
    /** This node's name, in readiness reports, logs and metrics; the host name unless set. */
    node: z.string().min(1).max(128).default(hostname()),
    /** PostgreSQL connection URL of the shared desired state. */
    postgres: z.string().min(1),
    /** Redis URL for change hints; without it, PostgreSQL LISTEN/NOTIFY carries them. */
    redis: z.string().min(1).optional(),
    /** Milliseconds between reconciles even when no hint arrives. */
    reconcileInterval: z.number().int().positive().default(10_000),
  })
  .strict();

/** Cluster settings with defaults applied. */
export type ClusterConfig = z.output<typeof clusterSchema>;
