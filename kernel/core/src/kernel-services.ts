import type { KernelPlugins, LogFeed, PluginEvent } from "@buntime/sdk";
import { hasAdminToken } from "./api/admin-token.ts";
import type { PluginStatus } from "./plugins/loaded-plugin.ts";
import { type Feed, subscriptionsOf } from "./services/feed.ts";
import type { ServiceRegistry } from "./services/registry.ts";
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
 * `kernel:logs`, `kernel:clients`, `kernel:websockets`, `kernel:plugins` and `kernel:admin`.
 * The two feeds are scoped: a plugin that unloads loses the subscriptions it forgot to end.
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
}
