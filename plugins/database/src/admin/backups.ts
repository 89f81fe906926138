/**
 * Backups through the admin API, for both backends: `POST <base>/api/backups/<database>` writes
 * one (a SQLite copy by `VACUUM INTO`, or a PostgreSQL dump of ours), `GET` lists them, and
 * `POST <base>/api/restores/<database>` with `{ "backup": "<file>" }` puts one back. A tenant's
 * database is `<app>/tenants/<tenant>` in these paths.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Logger, RequestContext, ServiceAccess } from "@buntime/sdk";
import { BuntimeError } from "@buntime/sdk";
import { type Context, Hono } from "hono";
import { databaseFile, databaseName } from "../database-files.ts";
import type { DatabaseEngine } from "../engine.ts";
import { databaseDescriptions as describe, restoreSchema } from "../route-descriptions.ts";
import { jsonBody, requireAdmin } from "./access.ts";
import { knownDatabase } from "./names.ts";

type Env = { Bindings: RequestContext };

/** What the backup routes need. */
export interface BackupRoutesOptions {
  readonly databases: DatabaseEngine;
  readonly services: ServiceAccess;
  readonly logger: Logger;
  /** Where backups are written. */
  readonly dir: string;
  /** `sqlite` (`.sqlite` copies) or `sql` (PostgreSQL dumps). */
  readonly extension: "sqlite" | "sql";
}

/** A backup's time stamp in its file name: an ISO instant with `-` for `:`. */
const STAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}Z";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The folder and file-name pattern of `database`'s backups. */
function backupsOf(dir: string, database: string, extension: string): { folder: string; name: RegExp } {
  const base = databaseFile(dir, database).replace(/\.sqlite$/, "");
  return {
    folder: dirname(base),
    name: new RegExp(`^${escapeRegExp(basename(base))}-${STAMP}\\.${extension}$`),
  };
}

/** The file names in `folder`, none when it does not exist yet. */
const filesIn = (folder: string) =>
  existsSync(folder)
    ? readdirSync(folder, { withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name)
    : [];

/** The backup routes, to mount at `<base>/api`. */
export function createBackupRoutes(options: BackupRoutesOptions): Hono<Env> {
  const { databases, services, dir, extension } = options;
  const routes = new Hono<Env>();

  const nameOf = async (c: Context<Env>) => {
    const tenant = c.req.param("tenant");
    return knownDatabase(databaseName(c.req.param("app") ?? "", tenant), databases, services);
  };

  const create = async (c: Context<Env>) => {
    const who = requireAdmin(c, services, "make a database backup");
    const database = await nameOf(c);
    const stamp = new Date().toISOString().replaceAll(":", "-");
    const path = databaseFile(dir, database).replace(/\.sqlite$/, `-${stamp}.${extension}`);
    mkdirSync(dirname(path), { recursive: true });
    let note: Awaited<ReturnType<DatabaseEngine["backup"]>>;
    try {
      note = await databases.backup(database, path);
    } catch (error) {
      // half a backup would be listed, and restored, as if it were one
      rmSync(path, { force: true });
      throw error;
    }
    options.logger.info(`database ${database}: backed up to ${path} by ${who}`);
    return c.json({ database, backup: basename(path), path, bytes: statSync(path).size, ...note }, 201);
  };

  const list = async (c: Context<Env>) => {
    requireAdmin(c, services, "list backups");
    const database = await nameOf(c);
    const { folder, name } = backupsOf(dir, database, extension);
    const backups = filesIn(folder)
      .filter((file) => name.test(file))
      .map((file) => ({ backup: file, bytes: statSync(join(folder, file)).size }))
      .sort((a, b) => (a.backup < b.backup ? 1 : -1));
    return c.json({ database, backups });
  };

  const restore = async (c: Context<Env>) => {
    const who = requireAdmin(c, services, "restore a database");
    const database = await nameOf(c);
    const parsed = restoreSchema.safeParse(await jsonBody(c));
    if (!parsed.success)
      throw new BuntimeError("BUNTIME_ERR_DATABASE_REQUEST_INVALID", {
        details: 'give {"backup": "<a file name from GET api/backups/<database>>"}',
      });
    const { folder, name } = backupsOf(dir, database, extension);
    // only a file of this database's backups, by its exact name: no path reaches elsewhere
    const file = parsed.data.backup;
    if (!name.test(file) || !filesIn(folder).includes(file))
      throw new BuntimeError("BUNTIME_ERR_DATABASE_UNKNOWN", {
        database,
        details: `it has no backup ${JSON.stringify(file)}`,
      });
    await databases.restore(database, join(folder, file));
    options.logger.warn(`database ${database}: restored from ${file} by ${who}`);
    return c.json({ database, restored: file });
  };

  for (const path of ["/backups/:app", "/backups/:app/tenants/:tenant"]) {
    routes.post(path, describe.backup, create);
    routes.get(path, describe.backups, list);
  }
  routes.post("/restores/:app", describe.restore, restore);
  routes.post("/restores/:app/tenants/:tenant", describe.restore, restore);
  return routes;
}
