import type { KernelPlugins, LogFeed, PluginEvent } from "@buntime/sdk";
import type { Server } from "bun";
import { hasAdminToken } from "./api/admin-token.ts";
import type { PluginStatus } from "./plugins/loaded-plugin.ts";
import type { ServiceRegistry } from "./services/registry.ts";
import type { WebSocketHub } from "./websocket-hub.ts";

export interface KernelServiceSources {
  readonly logFeed: LogFeed;
  readonly hub: WebSocketHub;
  readonly adminToken: string;
  /** The kernel's server, once it listens. */
  server(): Server<object> | undefined;
}

/** The kernel's plugin events: what `kernel:plugins` subscribers hear. */
export interface PluginEvents {
  readonly service: KernelPlugins;
  emit(event: PluginEvent): void;
}

/** The `kernel:plugins` service over the host's list, with listeners told of every change. */
export function createPluginEvents(list: () => PluginStatus[]): PluginEvents {
  const listeners = new Set<(event: PluginEvent) => void>();
  return {
    service: {
      list,
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    emit(event) {
      // a listener that throws must not cost the others their news, nor the load its success
      for (const listener of listeners) {
        try {
          listener(event);
        } catch {}
      }
    },
  };
}

/**
 * Registers what the kernel itself provides to plugins that declare it in `consumes`:
 * `kernel:logs`, `kernel:clients`, `kernel:websockets`, `kernel:plugins` and `kernel:admin`.
 */
export function provideKernelServices(
  services: ServiceRegistry,
  sources: KernelServiceSources,
  plugins: KernelPlugins,
): void {
  const kernel = services.accessFor({
    plugin: "kernel",
    provides: ["kernel:logs", "kernel:clients", "kernel:websockets", "kernel:plugins", "kernel:admin"],
    consumes: [],
  });
  kernel.provide("kernel:logs", sources.logFeed);
  kernel.provide("kernel:clients", { address: (request) => sources.server()?.requestIP(request)?.address });
  kernel.provide("kernel:websockets", sources.hub.service);
  kernel.provide("kernel:plugins", plugins);
  kernel.provide("kernel:admin", { isAdmin: (request) => hasAdminToken(request, sources.adminToken) });
}
