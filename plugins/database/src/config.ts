/** The database plugin's settings. */
import { schemaReferenceSchema } from "@buntime/sdk";
import { z } from "zod";

/** Settings of `@buntime/plugin-database`; all optional, so the plugin starts with none. */
export const databaseConfigSchema = z
  .object({
    $schema: schemaReferenceSchema,
    /** SQLite files (one kernel), or schemas of a PostgreSQL server (several kernels). @default "sqlite" */
    backend: z.enum(["sqlite", "postgres"]).default("sqlite"),
    /** The PostgreSQL URL (backend "postgres"); defaults to env DATABASE_URL. */
    url: z.string().min(1).optional(),
    /** Where the app databases live. @default "<dataDir>/apps" */
    dir: z.string().min(1).optional(),
    /** Largest size of one database, in bytes. @default 268435456 (256 MiB) */
    maxDatabaseBytes: z.number().int().min(65_536).default(268_435_456),
    /** How long one pipeline request may run, in ms, before its statements are stopped and undone. @default 10000 */
    statementTimeout: z.number().int().positive().max(3_600_000).default(10_000),
    /** How long an open stream (an interactive transaction) may sit idle before it is rolled back, in ms. @default 10000 */
    streamTimeout: z.number().int().positive().max(3_600_000).default(10_000),
    /** Largest pipeline request body, in bytes. @default 8388608 */
    maxRequestBytes: z.number().int().positive().max(268_435_456).default(8_388_608),
    /** At most this many rows of one statement in the SQL console; the rest are not read. @default 1000 */
    consoleMaxRows: z.number().int().positive().max(100_000).default(1000),
    /** How long a database process may sit with no open stream before it is stopped, in ms. @default 300000 */
    idleTimeout: z.number().int().positive().default(300_000),
  })
  .strict();

/** The settings after defaults. */
export type ResolvedDatabaseConfig = z.output<typeof databaseConfigSchema>;
