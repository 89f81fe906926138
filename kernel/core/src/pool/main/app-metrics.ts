/** Per-app counters and a ring of recent latencies for p50/p95/p99. */
import type { AppPoolStats, LatencyStats } from "@buntime/sdk";

const RING = 1024;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] as number) * 100) / 100;
}

/** Counters for one `name@version`; survives its workers and the app's eviction. */
export class AppMetrics {
  /** The tier the app's workers run in (set when its spec is resolved). */
  isolation: AppPoolStats["isolation"] = "thread";
  requests = 0;
  errors = 0;
  active = 0;
  spawned = 0;
  terminated = 0;
  readonly recycled: Record<string, number> = {};
  private readonly latencies = new Float64Array(RING);
  private filled = 0;
  private next = 0;

  /** Records how long a finished request took. */
  record(ms: number): void {
    this.latencies[this.next] = ms;
    this.next = (this.next + 1) % RING;
    if (this.filled < RING) this.filled++;
  }

  /** Records a worker that ended for `reason`. */
  ended(reason: string): void {
    this.terminated++;
    this.recycled[reason] = (this.recycled[reason] ?? 0) + 1;
  }

  latency(): LatencyStats {
    const sorted = this.latencies.slice(0, this.filled).sort();
    return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
  }

  snapshot(live: {
    mode: AppPoolStats["mode"];
    workers: number;
    queued: number;
    memory: number;
  }): AppPoolStats {
    return {
      mode: live.mode,
      isolation: this.isolation,
      workers: live.workers,
      requests: this.requests,
      errors: this.errors,
      active: this.active,
      queued: live.queued,
      spawned: this.spawned,
      terminated: this.terminated,
      recycled: { ...this.recycled },
      memory: live.memory,
      latency: this.latency(),
    };
  }
}
