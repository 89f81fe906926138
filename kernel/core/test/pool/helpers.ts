/** Shared fixtures for the pool tests: app specs for the fixture apps and a pool behind Bun.serve. */
import { join } from "node:path";
import type { AppSpec, IsolationTier } from "@buntime/sdk";
import { skipWithoutSandbox } from "@buntime/test-kit/system";
import { createWorkerPool, type KernelWorkerPool, type WorkerPoolOptions } from "../../src/pool/index.ts";

const FIXTURES = join(import.meta.dir, "fixtures");

/** The spec of fixture app `name` (its folder is its own, so it runs in either tier), with overrides. */
export function fixture(name: string, extra: Partial<AppSpec> = {}): AppSpec {
  return {
    name,
    version: "0.0.0",
    entry: join(FIXTURES, name, "index.ts"),
    dir: join(FIXTURES, name),
    ...extra,
  };
}

/** The process tier needs bubblewrap; without it (outside CI) suites run in the thread tier only. */
export const SANDBOX_MISSING = skipWithoutSandbox();

/** The tiers a suite that holds for both runs in. */
export const TIERS: readonly IsolationTier[] = SANDBOX_MISSING ? ["thread"] : ["thread", "process"];

/** A pool whose shutdown the caller registers; small tick for fast expiry tests. */
export function testPool(options: WorkerPoolOptions = {}): KernelWorkerPool {
  return createWorkerPool({ tickInterval: 20, memoryReportInterval: 50, shutdownTimeout: 2000, ...options });
}

/**
 * Serves the pool on 127.0.0.1 at a free port, routing `/<app>/rest` to fixture `<app>` (as
 * `spec(app)` describes it) with the `/<app>` prefix stripped, the way the router will.
 */
export function servePool(pool: KernelWorkerPool, spec: (app: string) => AppSpec) {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 30,
    maxRequestBodySize: 256 * 1024 * 1024,
    fetch(request) {
      const url = new URL(request.url);
      const app = url.pathname.split("/")[1] ?? "";
      url.pathname = url.pathname.slice(app.length + 1) || "/";
      return pool.fetch(spec(app), new Request(url, request));
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

/** Fetches `path` of `spec` through the pool and returns status and text. */
export async function call(pool: KernelWorkerPool, spec: AppSpec, path = "/", init?: RequestInit) {
  const response = await pool.fetch(spec, new Request(`http://app.test${path}`, init));
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** Polls `check` every 20 ms until it holds or `ms` pass; returns whether it held. */
export async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    if (check()) return true;
    await Bun.sleep(20);
  }
  return check();
}

/**
 * Runs `fault` while `healthy` is called through `pool` in a loop (at least `rounds` times), and
 * returns the fault's result and how many of the healthy app's answers were not 200: the fault
 * matrix's proof that one app's fault costs only its own requests.
 */
export async function besideHealthy<T>(
  pool: KernelWorkerPool,
  healthy: AppSpec,
  fault: () => Promise<T>,
  rounds = 20,
): Promise<{ result: T; missed: number; answered: number }> {
  let done = false;
  let missed = 0;
  let answered = 0;
  const loop = (async () => {
    while (!done || answered < rounds) {
      const { status } = await call(pool, healthy);
      answered++;
      if (status !== 200) missed++;
    }
  })();
  const result = await fault();
  done = true;
  await loop;
  return { result, missed, answered };
}
