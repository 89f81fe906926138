import { afterAll, describe, expect, it } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";
import { answer, eventually, startTestCluster, type TestCluster } from "./cluster-support.ts";
import { cleanUp } from "./support.ts";

const skip = skipWithoutSystemTool({ command: "redis-server", debianPackage: "redis-server" });
const INTERVAL = 1_500;
// at the top level: the servers' helpers stop them after the file (an afterAll made inside a beforeAll runs too soon)
const cluster = (
  skip
    ? undefined
    : await startTestCluster({ nodes: ["node-a", "node-b"], redis: true, reconcileInterval: INTERVAL })
) as TestCluster;

afterAll(async () => {
  await cluster?.stop();
  await cleanUp();
});

const node = (index: number) => {
  const found = cluster.nodes[index];
  if (!found) throw new Error(`no node ${index}`);
  return found;
};

describe.skipIf(skip)("nodes on Redis hints", () => {
  it("serves on B within 5 s a plugin installed through A, and B is not ready until it applied it", async () => {
    expect(node(1).kernel.cluster?.ready()).toMatchObject({ ok: true, generation: 0, applied: 0 });
    await cluster.publish({ name: "@e2e/hello", version: "1.0.0" });
    cluster.proxy.delay = 1_000; // B's download takes a while: long enough to see it not ready
    const run = await cluster.through(node(0), ["install", "@e2e/hello"]);
    expect(run.stderr).not.toContain("BUNTIME_ERR");
    expect(run.code).toBe(0);
    expect(await answer(node(0), "/hello")).toBe("@e2e/hello@1.0.0");
    let reason = "";
    await eventually(async () => {
      const ready = await fetch(new URL("/_/api/health/ready", node(1).url));
      reason = (await ready.json()).checks.cluster.reason ?? "";
      return ready.status === 503;
    }, 3_000);
    expect(reason).toBe("applying generation 1 (applied 0)");
    const served = await eventually(
      async () => (await answer(node(1), "/hello")) === "@e2e/hello@1.0.0",
      5_000,
    );
    cluster.proxy.delay = 0;
    expect(served).toBeLessThan(5_000);
    expect((await fetch(new URL("/_/api/health/ready", node(1).url))).status).toBe(200);
    // each node records what it applied once its reconcile is done (just after it serves)
    const applied = async () =>
      ((await node(0).kernel.cluster?.nodes()) ?? [])
        .map((n) => `${n.node}:${n.appliedGeneration}`)
        .join(" ");
    await eventually(async () => (await applied()) === "node-a:1 node-b:1", 2_000);
  }, 30_000);

  it("converges within one reconcile interval when the hint is missed (Redis down)", async () => {
    await cluster.publish({ name: "@e2e/hello", version: "1.1.0" });
    await cluster.redis?.stop();
    const run = await cluster.through(node(0), ["upgrade", "@e2e/hello"]);
    expect(run.code).toBe(0);
    expect(await answer(node(0), "/hello")).toBe("@e2e/hello@1.1.0");
    const took = await eventually(
      async () => (await answer(node(1), "/hello")) === "@e2e/hello@1.1.0",
      INTERVAL * 3,
    );
    // one interval until the timer fires, plus the reconcile itself (download, load)
    expect(took).toBeLessThan(INTERVAL + 1_000);
    await cluster.redis?.restart();
  }, 30_000);

  it("rolls back through B what was upgraded through A, and removes through A, on every node", async () => {
    const rollback = await cluster.through(node(1), ["rollback", "@e2e/hello"]);
    expect(rollback.stderr).not.toContain("BUNTIME_ERR");
    expect(rollback.code).toBe(0);
    await eventually(async () => (await answer(node(0), "/hello")) === "@e2e/hello@1.0.0", 5_000);
    expect((await cluster.through(node(0), ["remove", "@e2e/hello"])).code).toBe(0);
    await eventually(async () => (await answer(node(1), "/hello")).startsWith("404"), 5_000);
    expect(
      node(1)
        .kernel.plugins()
        .map((p) => p.name),
    ).toEqual([]);
  }, 30_000);

  it("restarts a node from its cache without downloading again", async () => {
    await cluster.publish({ name: "@e2e/cached", version: "1.0.0" });
    expect((await cluster.through(node(0), ["install", "@e2e/cached"])).code).toBe(0);
    await eventually(async () => (await answer(node(1), "/cached")) === "@e2e/cached@1.0.0", 5_000);
    const before = cluster.proxy.tarballs();
    await node(1).stop();
    // a fresh install folder, the cache kept (a volume for <home>/cache only)
    for (const path of ["plugins", "cluster"])
      rmSync(join(node(1).home, path), { recursive: true, force: true });
    const restarted = await cluster.startNode("node-b");
    expect(await answer(restarted, "/cached")).toBe("@e2e/cached@1.0.0");
    expect(restarted.kernel.cluster?.ready()).toMatchObject({ ok: true });
    expect(cluster.proxy.tarballs()).toBe(before);
    expect(restarted.logs).toContain("installed @e2e/cached@1.0.0 (from the cache)");
  }, 30_000);

  it("503s with the reason on the node where a plugin cannot load, while the others serve it", async () => {
    await node(1).stop();
    const fragile = await cluster.startNode("node-b", { "@e2e/fragile": { fail: "no GPU on node-b" } });
    await cluster.publish({
      name: "@e2e/fragile",
      version: "1.0.0",
      entry: `export default { setup: (ctx) => {
        if (ctx.config.fail) throw new Error(ctx.config.fail);
        return { fetch: () => new Response("fragile works") };
      } };\n`,
    });
    expect((await cluster.through(node(0), ["install", "@e2e/fragile"])).code).toBe(0);
    expect(await answer(node(0), "/fragile")).toBe("fragile works");
    await eventually(async () => (await answer(fragile, "/fragile")).startsWith("503"), 5_000);
    const response = await fetch(new URL("/fragile/x", fragile.url));
    expect(response.status).toBe(503);
    const { error } = await response.json();
    expect(error.code).toBe("BUNTIME_ERR_CLUSTER_PLUGIN_DEGRADED");
    expect(error.message).toContain("@e2e/fragile@1.0.0 is not available on node node-b");
    expect(error.message).toContain("no GPU on node-b");
    // the rest of the node goes on, ready, with the degraded plugin named
    expect(await answer(fragile, "/cached")).toBe("@e2e/cached@1.0.0");
    expect(fragile.kernel.cluster?.ready()).toMatchObject({
      ok: true,
      degraded: [{ plugin: "@e2e/fragile" }],
    });
    // retried with backoff, not in a loop: over three intervals, at most three attempts
    await Bun.sleep(INTERVAL * 3);
    const attempts = fragile.logs.filter((line) =>
      line.startsWith("plugin @e2e/fragile@1.0.0 failed to load"),
    );
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.length).toBeLessThanOrEqual(3);
  }, 30_000);

  it("503s with the reason at the plugin's base on a node that cannot fetch it", async () => {
    await node(1).stop();
    const cutOff = await cluster.startNode("node-b", {}, { registry: "http://127.0.0.1:9/" });
    await cluster.publish({ name: "@e2e/offline", version: "1.0.0" });
    expect((await cluster.through(node(0), ["install", "@e2e/offline"])).code).toBe(0);
    expect(await answer(node(0), "/offline")).toBe("@e2e/offline@1.0.0");
    await eventually(async () => (await answer(cutOff, "/offline")).startsWith("503"), 5_000);
    const { error } = await (await fetch(new URL("/offline", cutOff.url))).json();
    expect(error.code).toBe("BUNTIME_ERR_CLUSTER_PLUGIN_DEGRADED");
    expect(error.message).toContain("@e2e/offline@1.0.0 is not available on node node-b");
    expect(error.message).toContain("127.0.0.1:9");
    // a restart would not find a folder its lock names: the home keeps the plugin out until it has it
    const lock = JSON.parse(await Bun.file(join(cutOff.home, "plugins", "lock.json")).text());
    expect(Object.keys(lock.plugins)).not.toContain("@e2e/offline");
  }, 30_000);

  it("refuses on a node what its signature policy refuses, 503 with the reason, while the others serve it", async () => {
    await node(1).stop();
    const strict = await cluster.startNode("node-b", {}, { signatures: "publisher" });
    await cluster.publish({ name: "@e2e/unsigned", version: "1.0.0" });
    expect((await cluster.through(node(0), ["install", "@e2e/unsigned"])).code).toBe(0);
    expect(await answer(node(0), "/unsigned")).toBe("@e2e/unsigned@1.0.0");
    await eventually(async () => (await answer(strict, "/unsigned")).startsWith("503"), 5_000);
    const { error } = await (await fetch(new URL("/unsigned", strict.url))).json();
    expect(error.message).toContain(
      "no publisher signature, and the signature policy 'publisher' requires one",
    );
  }, 30_000);

  it("publishes, when its node starts again, what was installed into a home while the node was stopped", async () => {
    await node(1).stop();
    await cluster.publish({ name: "@e2e/offline-install", version: "1.0.0" });
    const run = await cluster.through(node(1), ["install", "@e2e/offline-install"]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("loaded into the kernel");
    const back = await cluster.startNode("node-b");
    expect(await answer(back, "/offline-install")).toBe("@e2e/offline-install@1.0.0");
    await eventually(
      async () => (await answer(node(0), "/offline-install")) === "@e2e/offline-install@1.0.0",
      5_000,
    );
  }, 30_000);
});
