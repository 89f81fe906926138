import { join } from "node:path";
import type { Logger } from "@buntime/sdk";
import type { ClusterConfig } from "../config/cluster.ts";
import { installedPluginDir, type Lockfile, readLockfile } from "../plugins/lockfile.ts";
import type { DegradedPlugin } from "./degraded.ts";
import { type Hints, postgresHints, redisHints } from "./hints.ts";
import { homeBusy, readApplied, takeHomeLock, writeApplied } from "./home-files.ts";
import { diffLocks, EMPTY_LOCK, isEmptyChange } from "./lock-diff.ts";
import { PluginCache } from "./plugin-cache.ts";
import { baseIn, type HostPort, reconcile } from "./reconcile.ts";
import { ClusterStore, type DesiredState, type NodeReport } from "./store.ts";
import type { ClusterSupply } from "./supply.ts";

/** What `cluster.ready()` says: ready once this node applied the current generation. */
export interface ClusterReadiness {
  readonly ok: boolean;
  /** The newest generation this node knows of. */
  readonly generation: number;
  /** The generation this node applied last (0 before the first). */
  readonly applied: number;
  /** Why not ready, or what is degraded while ready. */
  readonly reason?: string;
  readonly degraded: readonly { plugin: string; version: string; reason: string }[];
}

/** A kernel node's part in a cluster: desired state in, plugins reconciled, readiness out. */
export interface ClusterNode {
  readonly name: string;
  /** Connects, reconciles once and starts listening for hints and the timer; never throws (not ready instead). */
  start(): Promise<void>;
  /** Tells the node its plugins changed (a load, replacement or unload through this node's API). */
  pluginsChanged(): void;
  /** Reconciles now (what a hint, a reconnect and the timer do); resolves when it has run. */
  reconcileNow(): Promise<void>;
  ready(): ClusterReadiness;
  /** What every node of the cluster last reported (the cluster view), by name. */
  nodes(): Promise<NodeReport[]>;
  stop(): Promise<void>;
}

/** What a node is made of. */
export interface ClusterNodeOptions {
  readonly config: ClusterConfig;
  readonly home: string;
  readonly kernelVersion: string;
  readonly host: HostPort;
  readonly supply: ClusterSupply;
  readonly logger: Logger;
}

/** The base each installed plugin's package.json claims (read where the CLI put it). */
function basesOf(home: string, set: Readonly<Record<string, { version: string }>>): Record<string, string> {
  const bases: Record<string, string> = {};
  for (const [name, { version }] of Object.entries(set)) {
    const base = baseIn(installedPluginDir(home, name, version));
    if (base !== undefined) bases[name] = base;
  }
  return bases;
}

/** How soon a reconcile that found the home held by a CLI command comes back. */
const HELD_RETRY_MS = 200;

/**
 * Creates a cluster node. Every change through this node (the CLI's install, upgrade, rollback
 * or removal, seen as a plugin event) is published as one generation; every node reconciles to
 * the newest on boot, on a hint, after a reconnect and every `reconcileInterval`.
 */
export function createClusterNode(options: ClusterNodeOptions): ClusterNode {
  const { config, home, host, logger } = options;
  const store = new ClusterStore(config.postgres);
  const cache = new PluginCache(join(home, "cache", "plugins"), options.supply);
  const applied = readApplied(home);
  let baseline: Lockfile | undefined = applied?.lock;
  let appliedGeneration = applied?.generation ?? 0;
  let known = 0;
  let degraded = new Map<string, DegradedPlugin>();
  let failure: string | undefined = "not reconciled yet";
  let firstPass = true; // on boot, plugins that failed to start get their retry too
  let queue: Promise<void> = Promise.resolve();
  let pending: Promise<void> | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let heldTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let hints: Hints | undefined;

  const serial = (task: () => Promise<void>): Promise<void> => {
    const run = queue.then(task).catch((error: unknown) => {
      failure = (error as Error).message;
      logger.error(`reconcile failed: ${failure}`);
    });
    queue = run;
    return run;
  };

  /** Publishes what changed in the home's lock since the last applied or published lock. */
  const publishLocal = async (): Promise<DesiredState> => {
    const current = await store.current();
    known = Math.max(known, current.generation);
    const homeLock = await readLockfile(home);
    // a node that never applied a generation joins the cluster's set, unless there is none yet
    baseline ??= current.generation === 0 ? EMPTY_LOCK : homeLock;
    const change = diffLocks(baseline, homeLock);
    if (isEmptyChange(change)) return current;
    const published = await store.publish({ ...change, bases: basesOf(home, change.set) }, config.node);
    baseline = homeLock;
    if (!published) return current;
    if (published.generation === appliedGeneration + 1 && degraded.size === 0) {
      // nobody published in between: this node already runs what it just published
      appliedGeneration = published.generation;
      writeApplied(home, { generation: appliedGeneration, lock: homeLock });
    }
    known = Math.max(known, published.generation);
    logger.info(`published generation ${published.generation}`, { change });
    void hints?.announce(published.generation); // a hint never holds up this node's own work
    return published;
  };

  /** Comes back shortly when a CLI command changes the home (it holds `<home>/.cli-lock`). */
  const comeBack = () => {
    clearTimeout(heldTimer);
    heldTimer = setTimeout(() => void requestReconcile(), HELD_RETRY_MS);
  };

  /** Makes the tables and starts the hints once PostgreSQL answers (at boot, or on a later tick). */
  const connect = async (): Promise<void> => {
    if (hints) return;
    try {
      await store.migrate();
    } catch (error) {
      throw new Error(`cannot reach the cluster's PostgreSQL: ${(error as Error).message}`, { cause: error });
    }
    const started = config.redis
      ? redisHints(config.redis, config.reconcileInterval, handlers())
      : postgresHints(store.sql, handlers());
    await started.start();
    hints = started;
  };

  const reconcileOnce = async (): Promise<void> => {
    await connect();
    // a command between writing the home's lock and loading it must not be published half-done
    if (homeBusy(home)) return comeBack();
    // the newest generation, this node's own change included
    const desired = await publishLocal();
    const retryDue = [...degraded.values()].some((plugin) => plugin.retryAt <= Date.now());
    if (desired.generation !== appliedGeneration || retryDue || firstPass) {
      const release = takeHomeLock(home);
      if (!release) return comeBack();
      try {
        firstPass = false;
        const result = await reconcile({
          desired,
          previous: baseline ?? EMPTY_LOCK,
          degraded,
          home,
          node: config.node,
          interval: config.reconcileInterval,
          host,
          cache,
          supply: options.supply,
          logger,
        });
        degraded = result.degraded;
        // what the home's lock now says: local changes are told from it
        baseline = result.lock;
        appliedGeneration = desired.generation;
        writeApplied(home, { generation: appliedGeneration, lock: result.lock });
      } finally {
        release();
      }
    }
    failure = undefined;
    await store.recordNode({
      node: config.node,
      version: options.kernelVersion,
      appliedGeneration,
      lastReconcile: new Date(),
      ...(config.address === undefined ? {} : { address: config.address }),
      degraded: [...degraded.values()].map(({ name, reason }) => ({ plugin: name, reason })),
    });
  };

  /** Queues one reconcile; calls while one waits to start join it rather than queue another. */
  const requestReconcile = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    pending ??= serial(async () => {
      pending = undefined;
      await reconcileOnce();
    });
    return pending;
  };

  return {
    name: config.node,
    async start() {
      await requestReconcile();
      timer = setInterval(() => void requestReconcile(), config.reconcileInterval);
    },
    pluginsChanged() {
      if (stopped) return;
      // publish at once even while the CLI holds the home: the kernel has loaded what its lock says
      void serial(async () => void (await publishLocal())).then(() => requestReconcile());
    },
    reconcileNow: requestReconcile,
    ready() {
      const list = [...degraded.values()].map(({ name, version, reason }) => ({
        plugin: name,
        version,
        reason,
      }));
      const generation = Math.max(known, appliedGeneration);
      const base = { generation, applied: appliedGeneration, degraded: list };
      if (failure !== undefined) return { ...base, ok: false, reason: failure };
      if (appliedGeneration < generation) {
        return {
          ...base,
          ok: false,
          reason: `applying generation ${generation} (applied ${appliedGeneration})`,
        };
      }
      const reason =
        list.length > 0 ? `degraded: ${list.map((p) => `${p.plugin} (${p.reason})`).join("; ")}` : undefined;
      return { ...base, ok: true, ...(reason ? { reason } : {}) };
    },
    nodes: () => store.nodes(),
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(heldTimer);
      await queue;
      await hints?.stop();
      await store.close();
    },
  };

  function handlers() {
    return {
      logger,
      onHint(generation: number) {
        known = Math.max(known, generation);
        if (generation > appliedGeneration) void requestReconcile();
      },
      onReconnect() {
        logger.info("hints reconnected; reconciling");
        void requestReconcile();
      },
    };
  }
}
