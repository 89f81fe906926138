import type { LogFeed } from "@buntime/sdk";
import type { Server } from "bun";
import type { RequestOrigins } from "./pipeline/request-origins.ts";
import type { ServiceRegistry } from "./services/registry.ts";
import type { WebSocketHub } from "./websocket-hub.ts";

export interface KernelServiceSources {
  readonly logFeed: LogFeed;
  readonly hub: WebSocketHub;
  readonly origins: RequestOrigins;
  /** The kernel's server, once it listens. */
  server(): Server<object> | undefined;
}

/**
 * Registers what the kernel itself provides to plugins that declare it in `consumes`:
 * `kernel:logs`, `kernel:clients` and `kernel:websockets`.
 */
export function provideKernelServices(services: ServiceRegistry, sources: KernelServiceSources): void {
  const kernel = services.accessFor({
    plugin: "kernel",
    provides: ["kernel:logs", "kernel:clients", "kernel:websockets"],
    consumes: [],
  });
  kernel.provide("kernel:logs", sources.logFeed);
  kernel.provide("kernel:clients", {
    address: (request) => sources.server()?.requestIP(sources.origins.receivedFor(request))?.address,
  });
  kernel.provide("kernel:websockets", sources.hub.service);
}
