/**
 * @buntime/plugin-deployments: deploys app versions into the running kernel's apps folder (the
 * one the router serves): upload a tarball or a folder, list versions with who deployed them
 * and when, activate, roll back, delete. Admin only. `buntime app deploy` goes through the same
 * API, so the CLI and the UI take one code path.
 */
import { mkdirSync } from "node:fs";
import { definePlugin, schemaReferenceSchema } from "@buntime/sdk";
import { z } from "zod";
import { HostsFile } from "./hosts.ts";
import { createDeploymentsApi } from "./routes.ts";
import { AppStore } from "./store.ts";

export type { DeployedApp, DeployedVersion, DeploymentEvent } from "./store.ts";
export { AppStore } from "./store.ts";

/** Settings of the deployments plugin. */
export const deploymentsConfigSchema = z
  .object({
    $schema: schemaReferenceSchema,
    /** The apps folder; keep it the router's. @default "<home>/apps" */
    appsDir: z.string().min(1).optional(),
    /** Most files one upload may hold. @default 5000 */
    maxFiles: z.number().int().min(1).max(100_000).default(5000),
    /** Most bytes one upload may unpack to. @default 104857600 (100 MiB) */
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .default(100 * 1024 * 1024),
  })
  .strict();

export default definePlugin({
  config: deploymentsConfigSchema,
  setup(ctx) {
    const appsDir = ctx.config.appsDir ?? ctx.kernel.appsDir;
    mkdirSync(appsDir, { recursive: true });
    const store = new AppStore(appsDir);
    const limits = { maxFiles: ctx.config.maxFiles, maxBytes: ctx.config.maxBytes };
    const hosts = new HostsFile(appsDir);
    return {
      routes: createDeploymentsApi(store, { services: ctx.services, logger: ctx.logger, limits, hosts }),
    };
  },
});
