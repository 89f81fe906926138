/**
 * Health as Kubernetes probes it: `live` (the process answers: restart it when it does not) and
 * `ready` (send it traffic: every readiness check passes). Checks are pluggable, so a part of the
 * kernel that has its own idea of "ready" (a cluster node that applied the current generation)
 * adds one without the API knowing about it.
 */
import type { MaybePromise } from "@buntime/sdk";

/** What a check says: `true` when ready, otherwise why not (shown to whoever probes). */
export type ReadinessOutcome = true | string;

/** One readiness check, by name. */
export interface ReadinessCheck {
  /** Names the check in the `ready` answer, e.g. `plugins`, `pool`, `storage`. */
  readonly name: string;
  check(): MaybePromise<ReadinessOutcome>;
}

/** The kernel's readiness checks; more can be added while it runs. */
export interface Readiness {
  /** Adds a check; returns a function that removes it again. */
  add(check: ReadinessCheck): () => void;
  /** Runs every check, each within `timeoutMs` (a check that takes longer is not ready). */
  run(timeoutMs?: number): Promise<ReadinessReport>;
}

/** The answer of `GET /_/api/health/ready`. */
export interface ReadinessReport {
  readonly status: "ready" | "not-ready";
  readonly checks: Record<string, { readonly ready: boolean; readonly reason?: string }>;
}

/** A check that throws, hangs or says no makes the kernel not ready; the others still run. */
async function outcomeOf(check: ReadinessCheck, timeoutMs: number): Promise<ReadinessOutcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => check.check()), late]);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates the readiness registry with `initial` checks.
 *
 * @example
 * const readiness = createReadiness([{ name: "pool", check: () => (stopped ? "stopping" : true) }]);
 * readiness.add({ name: "generation", check: () => applied === current || `applying ${current}` });
 */
export function createReadiness(initial: readonly ReadinessCheck[] = []): Readiness {
  const checks = new Set<ReadinessCheck>(initial);
  return {
    add(check) {
      checks.add(check);
      return () => checks.delete(check);
    },
    async run(timeoutMs = 2_000) {
      const list = [...checks];
      const outcomes = await Promise.all(list.map((check) => outcomeOf(check, timeoutMs)));
      const report: Record<string, { ready: boolean; reason?: string }> = {};
      list.forEach((check, index) => {
        const outcome = outcomes[index];
        report[check.name] = outcome === true ? { ready: true } : { ready: false, reason: String(outcome) };
      });
      const ready = outcomes.every((outcome) => outcome === true);
      return { status: ready ? "ready" : "not-ready", checks: report };
    },
  };
}
