import { hostname } from "node:os";
import type {
  KernelCluster,
  KernelOrigins,
  KernelPlugins,
  KernelSchedule,
  LogFeed,
  Logger,
  PluginEvent,
} from "@buntime/sdk";
import { hasAdminToken } from "./api/admin-token.ts";
import { clusterView } from "./api/cluster-view.ts";
import type { ClusterNode } from "./cluster/index.ts";
import { createLogger } from "./logger.ts";
import type { PluginStatus } from "./plugins/loaded-plugin.ts";
import { type Feed, subscriptionsOf } from "./services/feed.ts";
import type { ServiceRegistry } from "./services/registry.ts";
import { createScheduler } from "./services/schedule.ts";
import type { WebSocketHub } from "./websocket-hub.ts";

export interface KernelServiceSources {
  readonly logFeed: LogFeed;
  readonly hub: WebSocketHub;
  readonly adminToken: string;
  /** The client's address as the kernel's server saw the connection (the pipeline asks the same). */
  clientAddress(request: Request): string | undefined;
  /** Every plugin the host knows, running or failed. */
  plugins(): PluginStatus[];
  /** Where the host reports loads, replacements and unloads. */
  readonly pluginEvents: Feed<PluginEvent>;
  /** The checks plugins vouch for origins with (`kernel:origins`), which the cross-site write check asks. */
  readonly originChecks: Set<OriginCheck>;
  /** Where `kernel:schedule` reports failed runs; a stderr logger when unset. */
  readonly logger?: Logger;
  /**
   * The cluster settings (`config.cluster`): with them, `kernel:schedule`'s global jobs run once
   * per tick across every node on `postgres`; without them, in this process.
   */
  readonly cluster?: { readonly node: string; readonly postgres: string };
  /** This kernel's cluster node once it joined (`kernel:cluster` reads its view), else undefined. */
  clusterNode?(): ClusterNode | undefined;
}

/** One plugin's check of an origin writing to a path (see `KernelOrigins`). */
export type OriginCheck = Parameters<KernelOrigins["vouch"]>[0];

/** `kernel:origins` per plugin: what a plugin vouched for is taken back when it unloads. */
function scopedOrigins(checks: Set<OriginCheck>) {
  const owned = new WeakMap<KernelOrigins, Set<OriginCheck>>();
  return {
    create(): KernelOrigins {
      const mine = new Set<OriginCheck>();
      const view: KernelOrigins = {
        vouch(check) {
          checks.add(check);
          mine.add(check);
          return () => {
            checks.delete(check);
            mine.delete(check);
          };
        },
      };
      owned.set(view, mine);
      return view;
    },
    dispose(view: KernelOrigins) {
      for (const check of owned.get(view) ?? []) checks.delete(check);
    },
  };
}

/** True when a plugin vouches for `origin` writing to `pathname` (a check that throws vouches for nothing). */
export async function vouched(checks: Set<OriginCheck>, origin: string, pathname: string): Promise<boolean> {
  for (const check of checks) {
    if (await Promise.resolve(check(origin, pathname)).catch(() => false)) return true;
  }
  return false;
}

/** A feed's per-plugin view, whose subscriptions end when the plugin unloads. */
function scopedFeed<S extends LogFeed | KernelPlugins>(service: S) {
  const views = new WeakMap<S, () => void>();
  return {
    create: () => {
      const { view, release } = subscriptionsOf(service);
      views.set(view, release);
      return view;
    },
    dispose: (view: S) => views.get(view)?.(),
  };
}

/**
 * Registers what the kernel itself provides to plugins that declare it in `consumes`:
 * `kernel:logs`, `kernel:clients`, `kernel:websockets`, `kernel:plugins`, `kernel:admin`,
 * `kernel:origins`, `kernel:schedule` and `kernel:cluster`.
 * The two feeds are scoped: a plugin that unloads loses the subscriptions it forgot to end; so
 * is the scheduler: a plugin's jobs stop when it unloads.
 */
export function provideKernelServices(services: ServiceRegistry, sources: KernelServiceSources): void {
  const shared = <T>(value: T) => ({ create: () => value });
  services.provideKernel("kernel:logs", scopedFeed(sources.logFeed));
  services.provideKernel("kernel:clients", shared({ address: sources.clientAddress }));
  services.provideKernel("kernel:websockets", shared(sources.hub.service));
  services.provideKernel(
    "kernel:plugins",
    scopedFeed<KernelPlugins>({ list: sources.plugins, subscribe: sources.pluginEvents.subscribe }),
  );
  services.provideKernel(
    "kernel:admin",
    shared({ isAdmin: (request: Request) => hasAdminToken(request, sources.adminToken) }),
  );
  services.provideKernel("kernel:origins", scopedOrigins(sources.originChecks));
  const cluster: KernelCluster = {
    node: sources.cluster?.node ?? process.env.BUNTIME_NODE ?? hostname(),
    clustered: sources.cluster !== undefined,
    view: () => clusterView(sources.clusterNode?.()),
  };
  services.provideKernel("kernel:cluster", shared(cluster));
  const scheduler = createScheduler({
    logger: sources.logger ?? createLogger({}, "kernel:schedule"),
    cluster: sources.cluster,
  });
  services.provideKernel("kernel:schedule", {
    create: (plugin): KernelSchedule & { stopAll(): Promise<void> } => scheduler.viewFor(plugin),
    dispose: (view) => view.stopAll(),
  });
}
