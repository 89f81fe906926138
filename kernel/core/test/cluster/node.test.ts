import { expect, it } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterSupply } from "../../src/cluster/supply.ts";
import { createKernel } from "../../src/kernel.ts";

const closedPort = () => {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = listener;
  listener.stop(true);
  return port;
};

const supply: ClusterSupply = {
  source: "nowhere",
  fetchTarball: () => Promise.reject(new Error("no registry in this test")),
  unpack() {},
};

it("refuses a cluster section without a supply to fetch plugins with", () => {
  const home = mkdtempSync(join(tmpdir(), "cluster-node-"));
  expect(() => createKernel({ config: { home, cluster: { postgres: "postgres://127.0.0.1:1/x" } } })).toThrow(
    "cluster mode needs a plugin supply",
  );
});

it("starts but is not ready, saying why, while the cluster's PostgreSQL cannot be reached", async () => {
  const home = mkdtempSync(join(tmpdir(), "cluster-node-"));
  const kernel = createKernel({
    config: {
      port: 0,
      home,
      cluster: {
        node: "lonely",
        postgres: `postgres://postgres@127.0.0.1:${closedPort()}/x`,
        reconcileInterval: 60_000,
      },
    },
    clusterSupply: supply,
    logSink: () => {},
  });
  await kernel.start();
  const url = await kernel.listen();
  try {
    expect(kernel.cluster?.ready()).toMatchObject({ ok: false, generation: 0, applied: 0 });
    expect(kernel.cluster?.ready().reason).toStartWith("cannot reach the cluster's PostgreSQL");
    const ready = await fetch(new URL("/_/api/health/ready", url));
    expect(ready.status).toBe(503);
    expect((await ready.json()).checks.cluster.reason).toStartWith("cannot reach the cluster's PostgreSQL");
  } finally {
    await kernel.stop();
  }
}, 30_000);
