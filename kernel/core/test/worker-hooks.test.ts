import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { definePlugin, type WorkerEvent } from "@buntime/sdk";
import { inlinePlugin, startTestKernel, tempDir, withHooks } from "./support/kernel-fixture.ts";

describe("worker pool through the kernel", () => {
  it("runs an app in a worker through ctx.pool and reports spawns to onWorkerSpawn", async () => {
    const app = join(tempDir(), "index.ts");
    writeFileSync(
      app,
      `export default { fetch: (req) => new Response("from worker " + new URL(req.url).pathname) };`,
    );
    const spawned: WorkerEvent[] = [];
    const { request, kernel } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "apps",
          { base: "/apps" },
          definePlugin({
            setup: (ctx) => ({
              fetch: (req) => ctx.pool.fetch({ name: "hello", version: "1.0.0", entry: app }, req),
              onWorkerSpawn: (event) => {
                spawned.push(event);
              },
            }),
          }),
        ),
      ],
    });
    const res = await request("/apps/x");
    expect(await res.text()).toBe("from worker /apps/x");
    expect(spawned).toMatchObject([{ app: "hello@1.0.0" }]);
    const pool = (await (await request("/_/api/pool")).json()) as {
      apps: Record<string, { requests: number }>;
    };
    expect(pool.apps["hello@1.0.0"]?.requests).toBe(1);
    expect(kernel.pool.stats().workers).toBeGreaterThanOrEqual(1);
  });

  it("runs onServerStart with the URL once the kernel listens", async () => {
    let seen: URL | undefined;
    const { kernel } = await startTestKernel({
      plugins: [
        inlinePlugin(
          "watcher",
          {},
          withHooks({
            onServerStart: (server) => {
              seen = server.url;
            },
          }),
        ),
      ],
    });
    const url = await kernel.listen();
    expect(seen?.href).toBe(url.href);
  });
});
