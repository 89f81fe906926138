/**
 * The isolation tier in the pool's metrics: every per-app series carries `isolation` beside
 * `mode`, and `buntime_pool_app_info` names both for each app, so the other per-app series
 * (`reason`) can be joined on `app`. A `process`-tier app needs bubblewrap: without
 * it (outside CI) only the thread-tier half runs.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestKernel } from "@buntime/kernel/testing";
import { type AppSpec, definePlugin, type IsolationTier } from "@buntime/sdk";
import { skipWithoutSandbox } from "@buntime/test-kit/system";
import { withoutNode } from "./fixtures/without-node.ts";

const SANDBOX_MISSING = skipWithoutSandbox();
const TIERS: readonly IsolationTier[] = SANDBOX_MISSING ? ["thread"] : ["thread", "process"];

// a sandbox runs as a user of its own when the kernel is root: the app's folder must be readable by others
const dir = mkdtempSync(join(tmpdir(), "buntime-metrics-tier-"));
chmodSync(dir, 0o755);
writeFileSync(join(dir, "index.ts"), "export default { fetch: () => new Response('hi') };", { mode: 0o644 });
const app = (isolation: IsolationTier, ttl?: number): AppSpec => ({
  name: `${isolation}-app${ttl === 0 ? "-eph" : ""}`,
  version: "1.0.0",
  entry: join(dir, "index.ts"),
  dir,
  isolation,
  ttl,
});

// the kernel puts sandboxes' data folders in its home, which the sandbox's user must pass through
const home = mkdtempSync(join(tmpdir(), "buntime-metrics-home-"));
chmodSync(home, 0o711);
const kernel = await createTestKernel({
  config: { home },
  plugins: [
    join(import.meta.dir, ".."),
    {
      packageJson: { name: "runner", version: "1.0.0", buntime: { kernel: "^0.1.0", base: "/run" } },
      plugin: definePlugin({
        setup: (ctx) => ({
          fetch: (request) => {
            const [, , tier, eph] = new URL(request.url).pathname.split("/");
            return ctx.pool.fetch(app(tier as IsolationTier, eph === "eph" ? 0 : undefined), request);
          },
        }),
      }),
    },
  ],
});
afterAll(async () => {
  await kernel.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

/** The value of the sample written exactly as `series`, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("the isolation tier in the pool's metrics", () => {
  it.each(TIERS)(
    "labels a %s-tier app's series with its tier, and names it in buntime_pool_app_info",
    async (tier) => {
      expect(await (await kernel.fetch(`/run/${tier}`)).text()).toBe("hi");
      const text = withoutNode(await (await kernel.fetch("/metrics")).text());
      const key = `${tier}-app@1.0.0`;
      expect(sample(text, `buntime_pool_app_info{app="${key}",isolation="${tier}",mode="persistent"}`)).toBe(
        1,
      );
      const labels = `{app="${key}",mode="persistent",isolation="${tier}"}`;
      expect(sample(text, `buntime_pool_app_workers${labels}`)).toBe(1);
      expect(sample(text, `buntime_pool_app_requests_total${labels}`)).toBe(1);
      expect(sample(text, `buntime_pool_app_spawned_total${labels}`)).toBe(1);
      expect(text).toContain("# TYPE buntime_pool_app_info gauge");
    },
  );

  it("keeps mode and tier apart: an ephemeral thread-tier app", async () => {
    expect(await (await kernel.fetch("/run/thread/eph")).text()).toBe("hi");
    const text = withoutNode(await (await kernel.fetch("/metrics")).text());
    expect(
      sample(text, 'buntime_pool_app_info{app="thread-app-eph@1.0.0",isolation="thread",mode="ephemeral"}'),
    ).toBe(1);
    expect(
      sample(
        text,
        'buntime_pool_app_requests_total{app="thread-app-eph@1.0.0",mode="ephemeral",isolation="thread"}',
      ),
    ).toBe(1);
  });

  it("writes one info line per app and no series without the tier", async () => {
    const text = withoutNode(await (await kernel.fetch("/metrics")).text());
    const info = text.split("\n").filter((line) => line.startsWith("buntime_pool_app_info{"));
    expect(info).toHaveLength(TIERS.length + 1);
    const perApp = text.split("\n").filter((line) => /^buntime_pool_app_\w+\{[^}]*mode=/.test(line));
    expect(perApp.length).toBeGreaterThan(0);
    for (const line of perApp) expect(line).toMatch(/isolation="(thread|process)"/);
  });
});
