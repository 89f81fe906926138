/**
 * How fast frames answer: the INIT→READY times shells report (`POST /shell/api/timings`), kept
 * in a bounded window and summarised for the home page and `GET /shell/api/timings`.
 */
import { z } from "zod";

/** The most recent times kept. */
export const WINDOW = 1000;

/** A report: up to 50 times, each 0–60000 ms. */
export const timingsReportSchema = z
  .object({ initToReady: z.array(z.number().finite().min(0).max(60_000)).max(50) })
  .strict();

/** Count and percentiles of the kept times, in ms. */
export interface TimingSummary {
  readonly count: number;
  readonly p50?: number;
  readonly p95?: number;
  readonly max?: number;
}

/** The window of INIT→READY times. */
export class Timings {
  readonly #times: number[] = [];

  /** Adds reported times, dropping the oldest beyond `WINDOW`. */
  add(times: readonly number[]): void {
    this.#times.push(...times);
    if (this.#times.length > WINDOW) this.#times.splice(0, this.#times.length - WINDOW);
  }

  /** The summary of what is kept. */
  summary(): TimingSummary {
    const sorted = [...this.#times].sort((a, b) => a - b);
    if (sorted.length === 0) return { count: 0 };
    const at = (q: number) =>
      Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10;
    return { count: sorted.length, p50: at(0.5), p95: at(0.95), max: at(1) };
  }
}
