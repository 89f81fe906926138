/**
 * @buntime/test-kit/apps: app folders for tests and benches. An app that imports packages (a
 * real client, the keyval client) is bundled into one file, as an app's own build would do, so
 * it runs in either isolation tier (a sandbox sees only the app's folder).
 */
import { mkdirSync } from "node:fs";

/** Bundles `entry` and what it imports into `<dir>/index.js`, the app's entry. */
export async function bundleApp(entry: string, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const built = await Bun.build({ entrypoints: [entry], target: "bun", outdir: dir, naming: "index.js" });
  if (!built.success) throw new AggregateError(built.logs, `${entry} does not bundle`);
}

/** Milliseconds each of `n` awaited runs took, in order (for the apps benches run). */
export async function timedRuns(n: number, run: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await run(i);
    times.push(performance.now() - started);
  }
  return times;
}
