import { afterAll, expect, it } from "bun:test";
import { eventually, startTestCluster } from "./cluster-support.ts";
import { cleanUp } from "./support.ts";

// at the top level: the servers' helpers stop them after the file
const cluster = await startTestCluster({ nodes: ["node-a"], reconcileInterval: 1_000 });

afterAll(async () => {
  await cluster.stop();
  await cleanUp();
});

/** `GET /_/api/cluster` on `url`, the body parsed. */
async function view(url: URL) {
  const res = await fetch(new URL("/_/api/cluster", url));
  expect(res.status).toBe(200);
  return res.json();
}

it("lists every node with its version, applied generation, last reconcile and degraded plugins", async () => {
  const a = cluster.nodes[0];
  if (!a) throw new Error("no node a");
  // node-b cannot start the plugin: its reason (markup and all) is data, reported as written
  const reason = '<img src=x onerror="alert(1)"> no GPU on node-b';
  const b = await cluster.startNode("node-b", { "@e2e/viewed": { fail: reason } });
  await cluster.publish({
    name: "@e2e/viewed",
    version: "1.0.0",
    entry: `export default { setup: (ctx) => {
      if (ctx.config.fail) throw new Error(ctx.config.fail);
      return { fetch: () => new Response("viewed") };
    } };\n`,
  });
  const before = Date.now();
  expect((await cluster.through(a, ["install", "@e2e/viewed"])).code).toBe(0);
  const caughtUp = async () => {
    const body = await view(b.url);
    return (
      body.generation === 1 &&
      body.nodes.length === 2 &&
      body.nodes.every((n: { current: boolean }) => n.current)
    );
  };
  await eventually(caughtUp, 5_000);
  const seen = await view(b.url);
  expect(seen).toMatchObject({ cluster: true, node: "node-b", generation: 1, ready: true });
  expect(seen.reason).toContain("@e2e/viewed");
  const byName = Object.fromEntries(seen.nodes.map((n: { node: string }) => [n.node, n]));
  expect(byName["node-a"]).toMatchObject({ appliedGeneration: 1, current: true, degraded: [] });
  expect(byName["node-b"]).toMatchObject({ appliedGeneration: 1, current: true });
  expect(byName["node-b"].degraded).toEqual([
    { plugin: "@e2e/viewed", reason: expect.stringContaining(reason) },
  ]);
  for (const node of seen.nodes) {
    expect(node.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Date.parse(node.lastReconcile)).toBeGreaterThanOrEqual(before - 1_000);
  }
  // node-a sees the same nodes: the view is the cluster's, not the node's
  const fromA = await view(a.url);
  expect(fromA).toMatchObject({ node: "node-a", generation: 1, ready: true });
  expect(fromA.nodes.map((n: { node: string }) => n.node).sort()).toEqual(["node-a", "node-b"]);
  // a stopped node stays listed, behind: its last report, not current
  await b.stop();
  await cluster.publish({ name: "@e2e/later", version: "1.0.0" });
  expect((await cluster.through(a, ["install", "@e2e/later"])).code).toBe(0);
  // node-a learns of generation 2 as soon as it is published, and applies it a moment later
  const nodesSeenByA = async () =>
    Object.fromEntries((await view(a.url)).nodes.map((n: { node: string }) => [n.node, n]));
  await eventually(async () => (await nodesSeenByA())["node-a"]?.appliedGeneration === 2, 5_000);
  const after = await nodesSeenByA();
  expect(after["node-a"]).toMatchObject({ appliedGeneration: 2, current: true });
  expect(after["node-b"]).toMatchObject({ appliedGeneration: 1, current: false });
}, 40_000);
