/**
 * WebSocket upgrades that went through the whole pipeline (so the auth guard and every other
 * `onRequest` hook had their say) and that a proxy rule takes. The pipeline cannot upgrade, so
 * the proxy answers with a 501 that carries a one-time id in `x-buntime-proxy-upgrade`; a server
 * that hands upgrades to the proxy trades that id for the rule and finishes the upgrade.
 */
import { randomBytes } from "node:crypto";
import type { CompiledRule } from "./rule-table.ts";

/** The header of the 501 that names a parked upgrade. */
export const UPGRADE_HEADER = "x-buntime-proxy-upgrade";

const TTL_MS = 10_000;
const MAX_PARKED = 1_000;

/** Upgrades waiting for the server, each for a few seconds at most. */
export class ParkedUpgrades {
  private readonly parked = new Map<string, { entry: CompiledRule; request: Request; expiresAt: number }>();

  /** Parks `request` (as the pipeline left it) under `entry`; returns its one-time id. */
  park(entry: CompiledRule, request: Request): string {
    const now = Date.now();
    if (this.parked.size >= MAX_PARKED) {
      for (const [id, item] of this.parked) if (item.expiresAt <= now) this.parked.delete(id);
      if (this.parked.size >= MAX_PARKED) this.parked.delete(this.parked.keys().next().value as string);
    }
    const id = randomBytes(18).toString("base64url");
    this.parked.set(id, { entry, request, expiresAt: now + TTL_MS });
    return id;
  }

  /** The parked upgrade under `id`, once. */
  take(id: string): { entry: CompiledRule; request: Request } | undefined {
    const item = this.parked.get(id);
    this.parked.delete(id);
    return item && item.expiresAt > Date.now() ? item : undefined;
  }
}
