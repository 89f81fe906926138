/**
 * Who runs a tick. A claim runs a job's tick only when no run of that job is going and no tick due
 * as late or later has been run (ticks are compared by when they are due, not by number, so a job
 * whose period changes keeps running): on one process (`local` jobs, and `global` ones without a cluster)
 * or across every node on one PostgreSQL (`global` jobs in a cluster).
 */
import { SQL } from "bun";

/** Runs ticks that no one has run yet. */
export interface TickClaims {
  /**
   * Runs `work` for the tick of `job` due at `dueAt` (ms since the epoch) when it is the first to
   * claim that tick and no run of `job` is going; resolves with whether it ran. `work`'s own
   * failure rejects.
   */
  claim(job: string, dueAt: number, work: () => Promise<void>): Promise<boolean>;
  /** Releases what the claims hold (connections). */
  close(): Promise<void>;
}

/** Claims kept in this process: when each job's last tick was due, and the jobs running now. */
export function processClaims(): TickClaims {
  const lastDue = new Map<string, number>();
  const running = new Set<string>();
  return {
    async claim(job, dueAt, work) {
      if (running.has(job) || (lastDue.get(job) ?? Number.NEGATIVE_INFINITY) >= dueAt) return false;
      lastDue.set(job, dueAt);
      running.add(job);
      try {
        await work();
      } finally {
        running.delete(job);
      }
      return true;
    },
    async close() {},
  };
}

/** Serialises table creation when several nodes start at once ("bsch"). */
const SCHEMA_LOCK = 0x62736368;

/**
 * Claims shared by every node on one PostgreSQL. A run holds a session advisory lock on its job
 * (on a reserved connection, so a node that dies lets go with its connection) while it records
 * the tick in `buntime_schedule` only if it is due later than the last recorded one: two nodes never
 * run one job at once, and a tick runs once even when a slow node wakes after another ran it.
 */
export function postgresClaims(url: string, node: string): TickClaims {
  const sql = new SQL(url, { max: 4 });
  let ready: Promise<void> | undefined;
  const createTable = () =>
    sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK})`;
      await tx`CREATE TABLE IF NOT EXISTS buntime_schedule (
        job text COLLATE "C" PRIMARY KEY, last_due bigint NOT NULL, node text NOT NULL,
        started_at timestamptz NOT NULL, finished_at timestamptz)`;
    });
  return {
    async claim(job, dueAt, work) {
      ready ??= createTable().catch((error) => {
        ready = undefined; // try again next tick
        throw error;
      });
      await ready;
      const connection = await sql.reserve();
      const lock = `buntime-schedule:${job}`;
      try {
        const [got] = await connection`SELECT pg_try_advisory_lock(hashtextextended(${lock}, 0)) AS locked`;
        if (!(got as { locked: boolean }).locked) return false;
        try {
          const claimed = await connection`INSERT INTO buntime_schedule (job, last_due, node, started_at)
            VALUES (${job}, ${dueAt}, ${node}, now())
            ON CONFLICT (job) DO UPDATE SET last_due = excluded.last_due, node = excluded.node,
              started_at = excluded.started_at, finished_at = NULL
            WHERE buntime_schedule.last_due < excluded.last_due
            RETURNING job`;
          if (claimed.length === 0) return false;
          await work();
          await connection`UPDATE buntime_schedule SET finished_at = now() WHERE job = ${job} AND last_due = ${dueAt}`;
          return true;
        } finally {
          await connection`SELECT pg_advisory_unlock(hashtextextended(${lock}, 0))`.catch(() => {});
        }
      } finally {
        connection.release();
      }
    },
    async close() {
      await sql.close();
    },
  };
}
