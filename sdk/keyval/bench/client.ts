/**
 * Benchmark: keyval get and set from an app's worker through @buntime/keyval (HTTP to the
 * kernel's storage plugin, SQLite backend), per-operation latency.
 *
 *   bun sdk/keyval/bench/client.ts [--ops 2000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createTestKernel } from "@buntime/kernel/testing";
import router from "@buntime/plugin-router";
import routerPackage from "@buntime/plugin-router/package.json" with { type: "json" };
import storage from "@buntime/plugin-storage";
import storagePackage from "@buntime/plugin-storage/package.json" with { type: "json" };
import { bundleApp } from "@buntime/test-kit/apps";

const { values } = parseArgs({ options: { ops: { type: "string", default: "2000" } } });
const ops = Number(values.ops);

const home = mkdtempSync(join(tmpdir(), "buntime-keyval-bench-"));
try {
  await bundleApp(join(import.meta.dir, "bench-app.ts"), join(home, "apps", "bench"));
  const kernel = await createTestKernel({
    config: { home },
    plugins: [
      { packageJson: routerPackage, plugin: router },
      { packageJson: storagePackage, plugin: storage },
    ],
    listen: true,
  });
  const result = (await (await fetch(new URL(`/bench/?n=${ops}`, kernel.url))).json()) as Record<
    string,
    number[]
  >;
  await kernel.stop();
  console.log(`${ops} operations each from a worker; latency in ms (mean / p50 / p99), operations/s`);
  for (const [op, times] of Object.entries(result)) {
    const sorted = [...times].sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const at = (q: number) => (sorted[Math.floor(q * (sorted.length - 1))] ?? 0).toFixed(3);
    console.log(
      `${op.padEnd(4)} ${mean.toFixed(3)} / ${at(0.5)} / ${at(0.99)}   ${Math.round(1000 / mean)} ops/s`,
    );
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
