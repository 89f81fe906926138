/**
 * @buntime/plugin-marketplace: the registry's plugins in the shell. Browse, search, read a
 * plugin's readme, permissions and trust evidence, then install, upgrade, roll back or remove it
 * after a plan, with live progress, through the same code path as `buntime plugin install`
 * (it runs that CLI: one implementation, two front ends).
 */
import { definePlugin, satisfiesRange } from "@buntime/sdk";
import { auditTrail } from "./audit.ts";
import { cliCommand } from "./cli-runner.ts";
import { marketplaceConfigSchema } from "./config.ts";
import { JobBoard } from "./jobs.ts";
import { marketplaceRegistry } from "./registry.ts";
import { createRoutes, homeOf } from "./routes.ts";
import { pinStore } from "./updates.ts";

export { type MarketplaceConfig, marketplaceConfigSchema } from "./config.ts";

/** The registry when neither the settings nor `BUNTIME_REGISTRY` name one (the CLI's default too). */
export const DEFAULT_REGISTRY = "http://127.0.0.1:4873/";

/** The marketplace plugin. */
export default definePlugin({
  config: marketplaceConfigSchema,
  setup(ctx) {
    const base = ctx.base ?? "/marketplace";
    const config = ctx.config;
    const registryUrl = config.registry ?? process.env.BUNTIME_REGISTRY ?? DEFAULT_REGISTRY;
    const registry = marketplaceRegistry(registryUrl, config.registryTimeout);
    const compatible = (range: string | null | undefined) =>
      typeof range === "string" && satisfiesRange(ctx.kernel.version, range);
    return {
      routes: createRoutes({
        ctx,
        base,
        registry,
        jobs: new JobBoard(),
        trail: auditTrail(ctx.dataDir),
        pins: pinStore(ctx.dataDir),
        compatible,
        planEnv: () => ({
          home: homeOf(ctx),
          registry: registry.url,
          cli: cliCommand(config.cli),
          env: config.cliDir ? { BUNTIME_CLI_DIR: config.cliDir } : ({} as Record<string, string>),
          signatures: config.signatures,
          timeoutMs: config.cliTimeout,
          plugins: ctx.services.get("kernel:plugins"),
          kernelVersion: ctx.kernel.version,
        }),
      }),
    };
  },
});
