/**
 * A cluster for tests: one PostgreSQL, one live registry (behind a proxy that counts and can slow
 * tarball downloads), optionally Redis, and kernel nodes in this process, each with its own home,
 * started the way `buntime start` starts a node (its registry supply), or as `buntime start`
 * processes (`spawnNode`). Install through a node with the real CLI (`through`). Other suites (the
 * load-balanced end-to-end test) reuse it.
 */
import { join } from "node:path";
import { createKernel, type Kernel } from "@buntime/kernel";
import type { RunningRegistry } from "@buntime/registry-server";
import { startTestPostgres, type TestPostgres } from "@buntime/test-kit/postgres";
import { startRedisServer, type TestRedis } from "@buntime/test-kit/redis";
import { registrySupply } from "../../src/install/cluster-supply.ts";
import {
  type CliRun,
  cli,
  liveRegistry,
  type PluginFixture,
  runningKernel,
  seed,
  workspace,
  writePlugin,
} from "./support.ts";

/** A registry proxy that counts tarball downloads and can hold each one back. */
export interface CountingProxy {
  readonly url: string;
  /** Tarball GETs seen so far. */
  tarballs(): number;
  /** Milliseconds each tarball download is held back (0 by default). */
  delay: number;
  stop(): void;
}

/** Starts a proxy to `registry` that rewrites the registry's URL in JSON answers to its own. */
export function countingProxy(registry: string): CountingProxy {
  let count = 0;
  const proxy: CountingProxy = {
    url: "",
    delay: 0,
    tarballs: () => count,
    stop: () => server.stop(true),
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname.endsWith(".tgz")) {
        count++;
        if (proxy.delay > 0) await Bun.sleep(proxy.delay);
      }
      const upstream = await fetch(new URL(url.pathname + url.search, registry), {
        method: request.method,
        headers: request.headers,
        body: request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer(),
      });
      if (!(upstream.headers.get("content-type") ?? "").includes("json")) return upstream;
      const text = (await upstream.text()).replaceAll(registry, `${url.origin}/`);
      return new Response(text, { status: upstream.status, headers: { "content-type": "application/json" } });
    },
  });
  return Object.assign(proxy, { url: `http://127.0.0.1:${server.port}/` });
}

/** One kernel node of a test cluster. */
export interface TestNode {
  readonly name: string;
  readonly home: string;
  readonly kernel: Kernel;
  readonly url: URL;
  /** Log lines of this node (messages only), for asserting on what it did. */
  readonly logs: string[];
  stop(): Promise<void>;
}

/** Where a test node fetches tarballs from, and how strictly it checks their signatures. */
export interface NodeSupply {
  readonly registry?: string;
  readonly signatures?: "publisher" | "registry" | "none";
}

/** A node running as a `buntime start` process. */
export interface ProcessNode {
  readonly name: string;
  readonly home: string;
  readonly url: URL;
  stop(): Promise<void>;
}

/** A test cluster. */
export interface TestCluster {
  /** The workspace folder (its node_modules links the repository's). */
  readonly dir: string;
  readonly postgres: TestPostgres;
  /** PostgreSQL URL of this cluster's database. */
  readonly database: string;
  readonly registry: RunningRegistry;
  /** The counting proxy in front of the registry: the nodes and the CLI use it. */
  readonly proxy: CountingProxy;
  readonly redis: TestRedis | undefined;
  readonly reconcileInterval: number;
  readonly nodes: TestNode[];
  /**
   * Starts (or starts again, on the same home) node `name` with per-plugin settings; `registry`
   * replaces the proxy as where this node fetches tarballs (a dead one, to make it fail), and
   * `signatures` is its signature policy (`registry` by default, as `buntime start`'s).
   */
  startNode(name: string, plugins?: Record<string, unknown>, supply?: NodeSupply): Promise<TestNode>;
  /** Writes, packs and publishes a plugin fixture to the registry. */
  publish(fixture: PluginFixture): Promise<void>;
  /**
   * Starts node `name` as its own `buntime start` process, set up by env only (BUNTIME_NODE,
   * BUNTIME_CLUSTER_*, BUNTIME_REGISTRY), as a container would run it; `env` adds variables.
   */
  spawnNode(name: string, env?: Record<string, string>): Promise<ProcessNode>;
  /** Runs `buntime plugin <args>` against `node`'s home, as an operator on that machine would. */
  through(node: TestNode, args: string[]): Promise<CliRun>;
  /** Stops every node (the servers stop after the test file). */
  stop(): Promise<void>;
}

/** What a test cluster is made of. */
export interface TestClusterOptions {
  /** Node names started at once, in order. */
  readonly nodes: readonly string[];
  /** Hints over Redis (a redis-server of the test's own) rather than LISTEN/NOTIFY. */
  readonly redis?: boolean;
  readonly reconcileInterval?: number;
  /** Reuse a PostgreSQL server (a fresh database is made in it). */
  readonly postgres?: TestPostgres;
}

let databases = 0;

/** Makes a fresh database in `postgres` and answers its URL. */
async function freshDatabase(postgres: TestPostgres): Promise<string> {
  const name = `cluster_${process.pid}_${++databases}`;
  const admin = new Bun.SQL(postgres.url);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.close();
  return postgres.url.replace(/\/postgres$/, `/${name}`);
}

/**
 * Starts a cluster of kernel nodes on one desired state.
 *
 * @example
 * const cluster = await startTestCluster({ nodes: ["a", "b"], redis: true });
 * await cluster.publish({ name: "@e2e/hello", version: "1.0.0" });
 * await cluster.through(cluster.nodes[0], ["install", "@e2e/hello"]);
 */
export async function startTestCluster(options: TestClusterOptions): Promise<TestCluster> {
  const dir = workspace();
  const postgres = options.postgres ?? (await startTestPostgres());
  const database = await freshDatabase(postgres);
  const registry = await liveRegistry(dir);
  const proxy = countingProxy(registry.url);
  const redis = options.redis ? await startRedisServer() : undefined;
  const reconcileInterval = options.reconcileInterval ?? 1_000;
  const nodes: TestNode[] = [];

  const startNode = async (
    name: string,
    plugins: Record<string, unknown> = {},
    supply: NodeSupply = {},
  ): Promise<TestNode> => {
    const home = join(dir, `home-${name}`);
    const logs: string[] = [];
    const kernel = createKernel({
      config: {
        port: 0,
        home,
        plugins,
        cluster: { node: name, postgres: database, redis: redis?.url, reconcileInterval },
      },
      clusterSupply: registrySupply(supply.registry ?? proxy.url, { policy: supply.signatures }),
      logSink: (entry) => logs.push(entry.message),
    });
    await kernel.start();
    const url = await kernel.listen();
    const node: TestNode = { name, home, kernel, url, logs, stop: () => kernel.stop() };
    const index = nodes.findIndex((other) => other.name === name);
    if (index >= 0) nodes[index] = node;
    else nodes.push(node);
    return node;
  };
  for (const name of options.nodes) await startNode(name);

  return {
    dir,
    postgres,
    database,
    registry,
    proxy,
    redis,
    reconcileInterval,
    nodes,
    startNode,
    async spawnNode(name, env = {}) {
      const home = join(dir, `home-${name}`);
      const started = await runningKernel(home, dir, {
        BUNTIME_NODE: name,
        BUNTIME_CLUSTER_POSTGRES: database,
        ...(redis ? { BUNTIME_CLUSTER_REDIS: redis.url } : {}),
        BUNTIME_CLUSTER_RECONCILE_INTERVAL: String(reconcileInterval),
        BUNTIME_REGISTRY: proxy.url,
        ...env,
      });
      return { name, home, ...started };
    },
    publish: (fixture) => seed(registry, writePlugin(dir, fixture)),
    through: (node, args) => cli(["plugin", ...args, "--registry", proxy.url, "--home", node.home], dir),
    async stop() {
      for (const node of nodes) await node.stop();
      proxy.stop();
    },
  };
}

/** Polls `check` every 20 ms until it holds; resolves with the milliseconds it took, or throws after `timeoutMs`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<number> {
  const started = performance.now();
  for (let round = 0; round < timeoutMs / 20 + 1; round++) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return performance.now() - started;
    await Bun.sleep(20);
  }
  throw new Error(`not within ${timeoutMs} ms`);
}

/** The body `path` answers on `node` with, or the status when it is not 200. */
export async function answer(node: TestNode, path: string): Promise<string> {
  const response = await fetch(new URL(path, node.url));
  const text = await response.text();
  return response.ok ? text : `${response.status} ${text}`;
}
