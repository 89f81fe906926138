import type { AppSpec, WorkerPool } from "@buntime/sdk";
import { type KernelWorkerPool, type PoolSocketData, poolWebSocketHandler } from "./pool/index.ts";
import type { WebSocketHub } from "./websocket-hub.ts";

/**
 * The worker pool as plugins get it (`ctx.pool`): requests go straight through; WebSocket
 * upgrades happen on the kernel's own server through the hub, so a plugin needs no server.
 */
export function pluginFacingPool(pool: KernelWorkerPool, hub: WebSocketHub): WorkerPool {
  const target = {
    upgrade: (request: Request, { data }: { data: unknown }) =>
      hub.upgrade(request, poolWebSocketHandler, data as PoolSocketData),
  };
  return {
    fetch: (app, request, overrides) => pool.fetch(app, request, overrides),
    stats: () => pool.stats(),
    retire: (app) => pool.retire(app),
    upgrade: async (app: AppSpec, request: Request, overrides) =>
      (await pool.upgrade(app, request, target, overrides)) ?? hub.placeholder(),
  };
}
