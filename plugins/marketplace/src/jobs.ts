/**
 * Marketplace jobs: one action at a time (the CLI holds the home's lock anyway), each a list
 * of events replayed to every late listener and streamed live to the others over SSE.
 */
import { BuntimeError } from "@buntime/sdk";

/** One thing that happened in a job. */
export type JobEvent =
  | { type: "steps"; steps: string[] }
  | { type: "step"; step: string; state: "active" | "done" | "failed"; detail?: string }
  | { type: "line"; text: string }
  | { type: "done"; summary: string }
  | { type: "failed"; message: string; code?: string; hint?: string };

/** A job: its events so far and whether it has finished. */
export interface Job {
  readonly id: string;
  readonly label: string;
  readonly events: JobEvent[];
  finished: boolean;
  emit(event: JobEvent): void;
  /** Calls `listener` for each event from now on; returns a function that stops it. */
  listen(listener: (event: JobEvent) => void): () => void;
}

/** The jobs of one marketplace: at most one running, the last `keep` remembered. */
export class JobBoard {
  readonly #jobs = new Map<string, Job>();
  #running: Job | undefined;
  constructor(readonly keep = 20) {}

  /** Starts a job, or refuses with `BUNTIME_ERR_MARKETPLACE_BUSY` while another runs. */
  start(label: string): Job {
    if (this.#running && !this.#running.finished)
      throw new BuntimeError("BUNTIME_ERR_MARKETPLACE_BUSY", { job: this.#running.label });
    const listeners = new Set<(event: JobEvent) => void>();
    const job: Job = {
      id: crypto.randomUUID(),
      label,
      events: [],
      finished: false,
      emit(event) {
        if (job.finished) return;
        job.events.push(event);
        if (event.type === "done" || event.type === "failed") job.finished = true;
        for (const listener of [...listeners]) listener(event);
      },
      listen(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    this.#jobs.set(job.id, job);
    for (const old of this.#jobs.keys()) {
      if (this.#jobs.size <= this.keep) break;
      this.#jobs.delete(old);
    }
    this.#running = job;
    return job;
  }

  /** The job `id`, or `BUNTIME_ERR_MARKETPLACE_JOB_NOT_FOUND`. */
  get(id: string): Job {
    const job = this.#jobs.get(id);
    if (!job) throw new BuntimeError("BUNTIME_ERR_MARKETPLACE_JOB_NOT_FOUND", { job: id });
    return job;
  }
}
