import { describe, expect, it } from "bun:test";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nextFailure } from "../../src/cluster/degraded.ts";
import { applyChange, diffLocks } from "../../src/cluster/lock-diff.ts";
import { integrityOf, PluginCache } from "../../src/cluster/plugin-cache.ts";
import type { ClusterSupply } from "../../src/cluster/supply.ts";
import { loadConfig } from "../../src/config/load.ts";

const lock = (plugins: Record<string, string>) => ({
  lockfileVersion: 1 as const,
  plugins: Object.fromEntries(Object.entries(plugins).map(([name, version]) => [name, { version }])),
});

describe("the cluster's config", () => {
  it("takes BUNTIME_CLUSTER_* and BUNTIME_NODE over the file's section", () => {
    const dir = mkdtempSync(join(tmpdir(), "cluster-config-"));
    writeFileSync(
      join(dir, "buntime.config.json"),
      JSON.stringify({ cluster: { node: "from-file", reconcileInterval: 5000 } }),
    );
    const config = loadConfig({
      cwd: dir,
      env: { BUNTIME_CLUSTER_POSTGRES: "postgres://db/buntime", BUNTIME_CLUSTER_REDIS: "redis://r:6379" },
    });
    expect(config.cluster).toEqual({
      node: "from-file",
      postgres: "postgres://db/buntime",
      redis: "redis://r:6379",
      reconcileInterval: 5000,
    });
    expect(
      loadConfig({ cwd: dir, env: { BUNTIME_CLUSTER_POSTGRES: "postgres://x", BUNTIME_NODE: "n2" } }).cluster
        ?.node,
    ).toBe("n2");
  });

  it("names the variable at fault, and a section without postgres", () => {
    const env = { BUNTIME_CLUSTER_POSTGRES: "postgres://x", BUNTIME_CLUSTER_RECONCILE_INTERVAL: "soon" };
    expect(() => loadConfig({ cwd: tmpdir(), env })).toThrow(
      "env BUNTIME_CLUSTER_RECONCILE_INTERVAL: invalid configuration",
    );
    expect(() => loadConfig({ cwd: tmpdir(), env: { BUNTIME_NODE: "n1" } })).toThrow("cluster.postgres");
    expect(loadConfig({ cwd: tmpdir(), env: {} }).cluster).toBeUndefined();
  });

  it("takes the node's address from BUNTIME_NODE_ADDRESS, and refuses one that is no http(s) URL", () => {
    const env = { BUNTIME_CLUSTER_POSTGRES: "postgres://x", BUNTIME_NODE_ADDRESS: "http://10.0.3.7:8000" };
    expect(loadConfig({ cwd: tmpdir(), env }).cluster?.address).toBe("http://10.0.3.7:8000");
    expect(() =>
      loadConfig({ cwd: tmpdir(), env: { ...env, BUNTIME_NODE_ADDRESS: "file:///etc/passwd" } }),
    ).toThrow("env BUNTIME_NODE_ADDRESS: invalid configuration");
  });
});

describe("lock changes", () => {
  it("merges two nodes' changes into the newest generation", () => {
    const base = lock({ a: "1.0.0", b: "1.0.0" });
    const fromA = diffLocks(base, lock({ a: "2.0.0", b: "1.0.0" }));
    const fromB = diffLocks(base, lock({ a: "1.0.0" }));
    expect(fromA).toEqual({ set: { a: { version: "2.0.0" } }, removed: [] });
    expect(fromB).toEqual({ set: {}, removed: ["b"] });
    expect(applyChange(applyChange(base, fromA), fromB)).toEqual(lock({ a: "2.0.0" }));
  });
});

describe("degraded retries", () => {
  it("back off from one interval, doubling, at most ten, and start over at a new version", () => {
    const failure = { name: "p", version: "1.0.0", integrity: "sha512-x", reason: "no", generation: 1 };
    let record = { ...nextFailure(undefined, failure, 1000, 0), standIn: false };
    const delays = [record.retryAt];
    for (let n = 0; n < 5; n++) {
      record = { ...nextFailure(record, failure, 1000, 0), standIn: false };
      delays.push(record.retryAt);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
    expect(nextFailure(record, { ...failure, version: "1.0.1" }, 1000, 0).attempts).toBe(1);
  });
});

describe("the tarball cache", () => {
  const bytes = new TextEncoder().encode("a tarball");
  const plugin = { name: "p", version: "1.0.0", integrity: integrityOf(bytes) };
  const supplyOf = (answer: Uint8Array, calls: string[]): ClusterSupply => ({
    source: "test",
    fetchTarball: async ({ name }) => {
      calls.push(name);
      return answer;
    },
    unpack() {},
  });

  it("downloads once, then answers from disk, and fetches again a file damaged on disk", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cluster-cache-"));
    const calls: string[] = [];
    const cache = new PluginCache(dir, supplyOf(bytes, calls));
    expect((await cache.tarball(plugin)).outcome).toBe("downloaded");
    expect((await new PluginCache(dir, supplyOf(bytes, calls)).tarball(plugin)).outcome).toBe("hit");
    expect(calls).toEqual(["p"]);
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file as string), "tampered");
    expect((await cache.tarball(plugin)).outcome).toBe("downloaded");
    expect(calls).toEqual(["p", "p"]);
  });

  it("refuses bytes that are not the desired integrity, and an integrity that is no sha512, keeping nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cluster-cache-"));
    const cache = new PluginCache(dir, supplyOf(new Uint8Array([1]), []));
    await expect(cache.tarball(plugin)).rejects.toThrow("p@1.0.0: the tarball's integrity sha512-");
    await expect(cache.tarball({ ...plugin, integrity: "sha1-abc" })).rejects.toThrow("a sha512 integrity");
    expect(readdirSync(dir)).toEqual([]);
  });
});
