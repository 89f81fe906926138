/**
 * Blocks of pages the docs runner's owner does not edit, keyed `page#n` (the n-th ```sh block):
 * each entry waits for the page's owner, who fixes the page (or marks the block not-run) and
 * removes it here. A known failure is still run, and the runner fails once it passes.
 */

/** Blocks that fail as written, with why. */
export const KNOWN_FAILING: Record<string, string> = {};

/** Blocks that cannot run here and still lack a `<!-- not-run: why -->` marker, with why. */
export const PENDING_NOT_RUN: Record<string, string> = {
  "docs/performance.md#1": "benchmarks, minutes long",
  "docs/observability.md#1":
    "needs an OTLP receiver on localhost:4318, and a distribution started with other settings",
};
