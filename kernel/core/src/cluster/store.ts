import { BuntimeError, formatZodIssues } from "@buntime/sdk";
import { SQL } from "bun";
import { type Lockfile, lockfileSchema } from "../plugins/lockfile.ts";
import { applyChange, EMPTY_LOCK, isEmptyChange, type LockChange, sameLock } from "./lock-diff.ts";

/** The plugin set every node should run: the lock, numbered. Generation 0 is the empty set before any. */
export interface DesiredState {
  readonly generation: number;
  readonly lock: Lockfile;
  /**
   * Each plugin's base as the installing node read it from the package, so a node that cannot
   * even fetch the tarball still answers 503 with the reason at the right place.
   */
  readonly bases: Readonly<Record<string, string>>;
}

/** A lock change as a node publishes it: with the bases of the plugins it sets, where they have one. */
export type PublishedChange = LockChange & { readonly bases?: Readonly<Record<string, string>> };

/** What a node reports about itself after each reconcile. */
export interface NodeReport {
  readonly node: string;
  readonly version: string;
  readonly appliedGeneration: number;
  readonly lastReconcile: Date;
  /** Where the other nodes reach it (`cluster.address`), when set. */
  readonly address?: string;
  /** Plugins this node could not load, with the reason. */
  readonly degraded: readonly { plugin: string; reason: string }[];
}

/** Serializes migrations and publishes across nodes: one key for all of Buntime's cluster tables. */
const STATE_LOCK = 0x62756e74; // "bunt"

const MIGRATION = [
  `CREATE TABLE IF NOT EXISTS buntime_cluster_generations (
     generation bigint PRIMARY KEY,
     lock jsonb NOT NULL,
     change jsonb NOT NULL,
     bases jsonb NOT NULL DEFAULT '{}',
     node text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE IF NOT EXISTS buntime_cluster_nodes (
     node text PRIMARY KEY,
     version text NOT NULL,
     applied_generation bigint NOT NULL,
     last_reconcile timestamptz NOT NULL,
     degraded jsonb NOT NULL DEFAULT '[]')`,
  `ALTER TABLE buntime_cluster_nodes ADD COLUMN IF NOT EXISTS address text`,
];

/** The bases of the plugins `lock` pins: the old ones with the change's over them. */
function nextBases(before: unknown, change: PublishedChange, lock: Lockfile): Record<string, string> {
  const merged: Record<string, unknown> = {
    ...(typeof before === "object" && before ? before : {}),
    ...change.bases,
  };
  return Object.fromEntries(
    Object.entries(merged).filter(
      (entry): entry is [string, string] => entry[0] in lock.plugins && typeof entry[1] === "string",
    ),
  );
}

function parseBases(raw: unknown): Record<string, string> {
  const value = typeof raw === "string" ? JSON.parse(raw) : raw;
  if (typeof value !== "object" || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}

function parseLock(raw: unknown, generation: number): Lockfile {
  const value = typeof raw === "string" ? JSON.parse(raw) : raw;
  const result = lockfileSchema.safeParse(value);
  if (!result.success) {
    throw new BuntimeError("BUNTIME_ERR_CLUSTER_STATE_INVALID", {
      generation,
      details: formatZodIssues(result.error),
    });
  }
  return result.data;
}

/**
 * The desired state in PostgreSQL: `buntime_cluster_generations` (one row per generation, the
 * newest is current) and `buntime_cluster_nodes` (what each node applied, and when).
 */
export class ClusterStore {
  readonly #sql: SQL;

  constructor(url: string) {
    // few queries, one at a time per node: a small pool; LISTEN takes its own connection
    this.#sql = new SQL(url, { max: 3, idleTimeout: 30, connectionTimeout: 5 });
  }

  /** The connection, for hints over LISTEN/NOTIFY. */
  get sql(): SQL {
    return this.#sql;
  }

  /** Creates the tables once, whatever the number of nodes starting at the same time. */
  async migrate(): Promise<void> {
    await this.#sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${STATE_LOCK})`;
      for (const statement of MIGRATION) await tx.unsafe(statement);
    });
  }

  /** The current generation (0 with an empty lock when nothing was ever published). */
  async current(): Promise<DesiredState> {
    const [row] = await this.#sql`
      SELECT generation, lock, bases FROM buntime_cluster_generations ORDER BY generation DESC LIMIT 1`;
    if (!row) return { generation: 0, lock: EMPTY_LOCK, bases: {} };
    const generation = Number(row.generation);
    return { generation, lock: parseLock(row.lock, generation), bases: parseBases(row.bases) };
  }

  /**
   * Applies `change` to the current generation as one transaction that bumps it; resolves with
   * the new state, or undefined when the change leaves the lock as it is (no new generation).
   */
  async publish(change: PublishedChange, node: string): Promise<DesiredState | undefined> {
    if (isEmptyChange(change)) return undefined;
    return this.#sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${STATE_LOCK})`;
      const [row] = await tx`
        SELECT generation, lock, bases FROM buntime_cluster_generations ORDER BY generation DESC LIMIT 1`;
      const generation = row ? Number(row.generation) : 0;
      const lock = row ? parseLock(row.lock, generation) : EMPTY_LOCK;
      const next = applyChange(lock, change);
      if (sameLock(lock, next)) return undefined;
      const bases = nextBases(row ? parseBases(row.bases) : {}, change, next);
      const { set, removed } = change;
      await tx`
        INSERT INTO buntime_cluster_generations (generation, lock, change, bases, node)
        VALUES (${generation + 1}, ${JSON.stringify(next)}::jsonb, ${JSON.stringify({ set, removed })}::jsonb,
                ${JSON.stringify(bases)}::jsonb, ${node})`;
      return { generation: generation + 1, lock: next, bases };
    });
  }

  /** Records what `report.node` applied. */
  async recordNode(report: NodeReport): Promise<void> {
    await this.#sql`
      INSERT INTO buntime_cluster_nodes (node, version, applied_generation, last_reconcile, degraded, address)
      VALUES (${report.node}, ${report.version}, ${report.appliedGeneration}, ${report.lastReconcile},
              ${JSON.stringify(report.degraded)}::jsonb, ${report.address ?? null})
      ON CONFLICT (node) DO UPDATE SET version = EXCLUDED.version,
        applied_generation = EXCLUDED.applied_generation, last_reconcile = EXCLUDED.last_reconcile,
        degraded = EXCLUDED.degraded, address = EXCLUDED.address`;
  }

  /** Every node that ever reported, by name. */
  async nodes(): Promise<NodeReport[]> {
    const rows = await this.#sql`
      SELECT node, version, applied_generation, last_reconcile, degraded, address
      FROM buntime_cluster_nodes ORDER BY node`;
    return rows.map((row: Record<string, unknown>) => ({
      node: String(row.node),
      ...(typeof row.address === "string" ? { address: row.address } : {}),
      version: String(row.version),
      appliedGeneration: Number(row.applied_generation),
      lastReconcile: new Date(row.last_reconcile as string),
      degraded: (typeof row.degraded === "string"
        ? JSON.parse(row.degraded)
        : row.degraded) as NodeReport["degraded"],
    }));
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    await this.#sql.close({ timeout: 1 });
  }
}
