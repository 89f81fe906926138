import { afterAll, expect, it } from "bun:test";
import { ClusterStore } from "@buntime/kernel";
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

it("reconciles at once when its LISTEN connection comes back, not at its next tick", async () => {
  const a = cluster.nodes[0];
  if (!a) throw new Error("no node a");
  // node A settles first: the reconcile that followed its own install (it waits for the CLI to let go of the home)
  await eventually(() => a.kernel.cluster?.ready().applied === 1, 5_000);
  await Bun.sleep(500);
  await cluster.publish({ name: "@e2e/silent", version: "1.0.0" });
  const packument = await (await fetch(new URL("@e2e%2fsilent", cluster.proxy.url))).json();
  // a generation no hint announced: written straight into the desired state
  const store = new ClusterStore(cluster.database);
  const entry = { version: "1.0.0", integrity: packument.versions["1.0.0"].dist.integrity };
  await store.publish(
    { set: { "@e2e/silent": entry }, removed: [], bases: { "@e2e/silent": "/silent" } },
    "test",
  );
  await store.close();
  await Bun.sleep(300);
  expect(await answer(a, "/silent")).toStartWith("404");
  // cut every connection of the nodes to their database: LISTEN reconnects, and the node reconciles
  const admin = new Bun.SQL(cluster.postgres.url);
  const database = new URL(cluster.database).pathname.slice(1);
  await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${database}`;
  await admin.close();
  const took = await eventually(async () => (await answer(a, "/silent")) === "@e2e/silent@1.0.0", 8_000);
  expect(took).toBeLessThan(8_000); // the interval is 10 s
  expect(a.logs).toContain("hints reconnected; reconciling");
}, 40_000);
