import { schemaReferenceSchema } from "@buntime/sdk";
import { z } from "zod";

/** Settings of the marketplace plugin; all optional. */
export const marketplaceConfigSchema = z
  .object({
    $schema: schemaReferenceSchema,
    /**
     * The registry to browse and install from, as `buntime plugin install --registry` takes it.
     * @default BUNTIME_REGISTRY, else http://127.0.0.1:4873/
     */
    registry: z.url().optional(),
    /**
     * The command that runs the `buntime` CLI (every write goes through it, so the marketplace and
     * the CLI share one implementation). @default the CLI that started this kernel, else `buntime` on PATH
     */
    cli: z.array(z.string().min(1)).min(1).optional(),
    /** The CLI's settings folder (`BUNTIME_CLI_DIR`): pinned registry keys, signature policy, tokens. */
    cliDir: z.string().min(1).optional(),
    /** The signature policy of installs (`--signatures`). @default the CLI settings' */
    signatures: z.enum(["publisher", "registry", "none"]).optional(),
    /** Milliseconds a registry request may take. @default 5000 */
    registryTimeout: z.number().int().min(100).max(60_000).default(5000),
    /** Milliseconds a CLI run may take before it is stopped (it then undoes its changes). @default 120000 */
    cliTimeout: z.number().int().min(1000).max(600_000).default(120_000),
  })
  .strict();

/** The settings after defaults. */
export type MarketplaceConfig = z.output<typeof marketplaceConfigSchema>;
