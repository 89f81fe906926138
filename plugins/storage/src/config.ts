/** The storage plugin's settings. */
import { schemaReferenceSchema } from "@buntime/sdk";
import { z } from "zod";
import { sharedSpacesSchema } from "./shared-spaces.ts";

/** Settings of `@buntime/plugin-storage`; all optional, so the plugin starts with none. */
export const storageConfigSchema = z
  .object({
    $schema: schemaReferenceSchema,
    /** Where entries live. @default "sqlite" */
    backend: z.enum(["sqlite", "postgres"]).default("sqlite"),
    /** The SQLite file. @default "<dataDir>/keyval.sqlite" */
    path: z.string().min(1).optional(),
    /** The PostgreSQL URL (backend "postgres"); defaults to env DATABASE_URL. */
    url: z.string().min(1).optional(),
    /** Largest JSON value, in bytes. @default 65536 */
    maxValueBytes: z.number().int().positive().max(16_777_216).default(65536),
    /** Largest batch request body, in bytes. @default 1048576 */
    maxBatchBytes: z.number().int().positive().max(67_108_864).default(1_048_576),
    /** How often expired entries are removed, in ms (on PostgreSQL by one node per tick). @default 60000 */
    sweepInterval: z.number().int().min(100).default(60_000),
    /** Deliveries of a queue message before it goes to the dead letters. @default 5 */
    queueMaxAttempts: z.number().int().min(1).max(1000).default(5),
    /** How long a receiver holds a queue message before it is delivered again, in ms. @default 30000 */
    queueLeaseMs: z.number().int().positive().default(30_000),
    /** Delay before a nacked message comes back, doubled each attempt, in ms. @default 1000 */
    queueRetryDelayMs: z.number().int().min(0).default(1000),
    /** Most keys one app may hold (its queues' messages included). @default 100000 */
    appMaxKeys: z.number().int().positive().default(100_000),
    /** Most bytes (keys and JSON values) one app may hold. @default 67108864 (64 MiB) */
    appMaxBytes: z.number().int().positive().default(67_108_864),
    /** How often a watch looks for changes, in ms. @default 250 */
    watchInterval: z.number().int().min(10).default(250),
    /** Keyval spaces several apps share: `{ "<space>": { read: [apps], write: [apps] } }`. @default {} */
    sharedSpaces: sharedSpacesSchema,
  })
  .strict();

/** The settings after defaults. */
export type ResolvedStorageConfig = z.output<typeof storageConfigSchema>;
