/**
 * @buntime/plugin-database: one SQLite database per app, created on first use in the plugin's data
 * folder, migrated from the app's `migrations/*.sql`, and reached over the libSQL remote protocol
 * (Hrana over HTTP) at `<base>/apps/<app>/`, so `@libsql/client` works unchanged from an app with
 * `BUNTIME_DATABASE_URL` and `BUNTIME_DATABASE_TOKEN` (the router hands both to every app).
 * Each database runs in a process of its own: a statement past its time limit is stopped by
 * ending that process, and SQLite undoes what it began.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { BuntimeError, definePlugin } from "@buntime/sdk";
import { databaseConfigSchema } from "./config.ts";
import { databaseName } from "./database-files.ts";
import { Databases } from "./databases.ts";
import type { DatabaseEngine } from "./engine.ts";
import { createDatabaseApi } from "./http-api.ts";
import { readMigrations } from "./migration-files.ts";
import { PgDatabases } from "./pg/databases.ts";
import type { StreamRequest, StreamResult } from "./protocol.ts";

/**
 * The `database` service: plugins run protocol requests on an app's database, in a stream of
 * their own that is closed afterwards (so a transaction must begin and end in one call).
 */
export interface DatabaseService {
  /**
   * Runs `requests` on `app`'s database, or on its `tenant`'s (created on first use); one result
   * per request.
   */
  run(app: string, requests: readonly StreamRequest[], tenant?: string): Promise<StreamResult[]>;
}

declare module "@buntime/sdk" {
  interface Services {
    /** `@buntime/plugin-database` */
    database: DatabaseService;
  }
}

export type { ResolvedDatabaseConfig } from "./config.ts";
export { databaseConfigSchema } from "./config.ts";
export { databaseFile, databaseName } from "./database-files.ts";
export type { HranaError, HranaValue, StreamRequest, StreamResult } from "./protocol.ts";

export default definePlugin({
  config: databaseConfigSchema,
  setup(ctx) {
    const { config } = ctx;
    const migrationsOf = async (app: string) =>
      readMigrations(ctx.services.has("apps") ? (await ctx.services.get("apps").folders(app))[0] : undefined);
    let databases: DatabaseEngine;
    if (config.backend === "postgres") {
      const url = config.url ?? process.env.DATABASE_URL;
      if (!url) {
        throw new BuntimeError("BUNTIME_ERR_CONFIG_INVALID", {
          source: ctx.name,
          details: 'backend "postgres" needs url (or env DATABASE_URL)',
        });
      }
      databases = new PgDatabases({ ...config, url, logger: ctx.logger, migrationsOf });
      ctx.logger.info("app databases as PostgreSQL schemas");
    } else {
      const dir = config.dir ?? join(ctx.dataDir, "apps");
      mkdirSync(dir, { recursive: true });
      databases = new Databases({ ...config, dir, logger: ctx.logger, migrationsOf });
      ctx.logger.info(`app databases in ${dir}`);
    }
    ctx.services.provide("database", {
      async run(app, requests, tenant) {
        const { results } = await databases.pipeline(databaseName(app, tenant), null, [
          ...requests,
          { type: "close" },
        ]);
        return results.slice(0, requests.length);
      },
    } satisfies DatabaseService);
    return {
      routes: createDatabaseApi(databases, {
        services: ctx.services,
        logger: ctx.logger,
        maxRequestBytes: config.maxRequestBytes,
        backupDir: join(ctx.dataDir, "backups"),
        backend: config.backend,
        consoleMaxRows: config.consoleMaxRows,
        statementTimeout: config.statementTimeout,
        pagePath: `${ctx.base ?? "/database"}/`,
      }),
      onShutdown: () => databases.close(),
    };
  },
});
