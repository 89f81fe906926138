/**
 * Blocks of pages the docs runner's owner does not edit, keyed `page#n` (the n-th ```sh block):
 * each entry waits for the page's owner, who fixes the page (or marks the block not-run) and
 * removes it here. A known failure is still run, and the runner fails once it passes.
 */

/** Blocks that fail as written, with why. */
export const KNOWN_FAILING: Record<string, string> = {
  "docs/distributions.md#3":
    "`distro add --app shop ./apps/notes`: app folder ./apps/notes does not exist [BUNTIME_ERR_DISTRO_NOT_FOUND]",
};

/** Blocks that cannot run here and still lack a `<!-- not-run: why -->` marker, with why. */
export const PENDING_NOT_RUN: Record<string, string> = {
  "docs/distributions.md#1":
    "`distro start` serves in the foreground, so the block never reaches its curl (with `&` and `curl --retry 20 --retry-connrefused` it runs; README.md's block does so)",
  "docs/distributions.md#2":
    "`distro start` serves in the foreground, so the block never reaches its curl; `buntime app publish ./shop` needs an app shop@1.2.0 with env STRIPE_KEY and a publisher key",
  "docs/distributions.md#4": "needs a Docker daemon (distro build --image)",
  "docs/distributions.md#5": "needs a Kubernetes cluster (kubectl, helm)",
  "docs/distributions.md#6": "needs a Docker daemon and a Kubernetes cluster",
  "docs/distributions.md#7":
    "needs PostgreSQL at db.internal and a remote registry; serves in the foreground",
  "docs/distributions.md#8": "a second default distribution in the foreground, never ending the block",
  "docs/distributions.md#9": "a benchmark, minutes long",
  "docs/distributions.md#10": "serves in the foreground, never ending the block",
  "docs/performance.md#1": "benchmarks, minutes long",
  "docs/observability.md#1":
    "needs an OTLP receiver on localhost:4318, and a distribution started with other settings",
};
