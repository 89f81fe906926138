import { afterAll, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ClusterStore } from "@buntime/kernel";
import { untilListening } from "@buntime/test-kit/listening";
import { eventually, startTestCluster } from "./cluster-support.ts";
import { cleanUp, cli } from "./support.ts";

const CLI = join(import.meta.dir, "..", "..", "bin", "buntime.ts");

// at the top level: the servers' helpers stop them after the file
const cluster = await startTestCluster({ nodes: [], reconcileInterval: 10_000 });

afterAll(async () => {
  await cluster.stop();
  await cleanUp();
});

it("runs a built distribution as a cluster node: ready on the desired state, whose plugins it fetches", async () => {
  await cluster.publish({ name: "@e2e/edge", version: "1.0.0" });
  const folder = join(cluster.dir, "edge");
  mkdirSync(folder);
  const manifest = {
    name: "edge",
    version: "1.0.0",
    registry: cluster.registry.url,
    plugins: { "@e2e/edge": "^1" },
  };
  writeFileSync(join(folder, "buntime.distro.json"), JSON.stringify(manifest));
  expect((await cli(["distro", "lock"], folder)).code).toBe(0);
  expect((await cli(["distro", "build", "--without-runner"], folder)).code).toBe(0);

  const child = Bun.spawn([process.execPath, CLI, "distro", "start", join(folder, "build"), "--port", "0"], {
    cwd: folder,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PATH: process.env.PATH ?? "",
      HOME: folder,
      BUNTIME_CLI_DIR: join(folder, "cli-settings"),
      BUNTIME_NODE: "edge-1",
      BUNTIME_CLUSTER_POSTGRES: cluster.database,
      BUNTIME_CLUSTER_RECONCILE_INTERVAL: "500",
      BUNTIME_REGISTRY: cluster.proxy.url,
    },
  });
  const store = new ClusterStore(cluster.database);
  try {
    const { url } = await untilListening(child.stdout);
    const ready = await (await fetch(new URL("/_/api/health/ready", url))).json();
    expect(ready.checks.cluster).toEqual({ ready: true });
    expect((await fetch(new URL("/edge", url))).status).toBe(200);
    await eventually(async () => (await store.nodes()).some((node) => node.node === "edge-1"), 5_000);
    // a plugin of the desired state, not of the build: the node fetches it from BUNTIME_REGISTRY
    await cluster.publish({ name: "@e2e/joined", version: "1.0.0" });
    const packument = await (await fetch(new URL("@e2e%2fjoined", cluster.proxy.url))).json();
    const entry = { version: "1.0.0", integrity: packument.versions["1.0.0"].dist.integrity };
    await store.publish(
      { set: { "@e2e/joined": entry }, removed: [], bases: { "@e2e/joined": "/joined" } },
      "test",
    );
    await eventually(
      async () => (await fetch(new URL("/joined", url)).then((r) => r.text())) === "@e2e/joined@1.0.0",
      8_000,
    );
  } finally {
    await store.close();
    child.kill("SIGTERM");
    await child.exited;
  }
}, 90_000);
