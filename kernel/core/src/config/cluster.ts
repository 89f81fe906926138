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
    /**
     * Where the other nodes reach this one (`http://10.0.3.7:8000`), recorded in the nodes table:
     * the logs plugin reads every node's lines through it (docs/scale-out.md#logs-and-metrics).
     */
    address: z.url({ protocol: /^https?$/ }).optional(),
    /** Milliseconds between reconciles even when no hint arrives. */
    reconcileInterval: z.number().int().positive().default(10_000),
  })
  .strict();

/** Cluster settings with defaults applied. */
export type ClusterConfig = z.output<typeof clusterSchema>;
