import { afterAll, expect, it } from "bun:test";
import { answer, eventually, startTestCluster } from "./cluster-support.ts";
import { cleanUp } from "./support.ts";

// at the top level: the servers' helpers stop them after the file
const cluster = await startTestCluster({ nodes: ["node-a"], reconcileInterval: 10_000 });

afterAll(async () => {
  await cluster.stop();
  await cleanUp();
});

it("converges a `buntime start` node configured by env over LISTEN/NOTIFY within 5 s, long before its timer", async () => {
  const started = await cluster.spawnNode("node-c");
  const ready = await (await fetch(new URL("/_/api/health/ready", started.url))).json();
  expect(ready.checks.cluster).toEqual({ ready: true });
  await cluster.publish({ name: "@e2e/notified", version: "1.0.0" });
  const a = cluster.nodes[0];
  if (!a) throw new Error("no node a");
  const run = await cluster.through(a, ["install", "@e2e/notified"]);
  expect(run.code).toBe(0);
  const took = await eventually(
    async () =>
      (await fetch(new URL("/notified", started.url)).then((r) => r.text())) === "@e2e/notified@1.0.0",
    5_000,
  );
  expect(took).toBeLessThan(5_000);
  expect(await answer(a, "/notified")).toBe("@e2e/notified@1.0.0");
}, 40_000);
