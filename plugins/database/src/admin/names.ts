/**
 * Database names as the admin API takes them: `app`, or `app/tenant`, checked before anything
 * opens (a database is created on first use, so a name must belong to an installed app or to a
 * database that exists already).
 */
import { BuntimeError, type ServiceAccess } from "@buntime/sdk";
import type { DatabaseEngine } from "../engine.ts";

/** What a tenant's name may be. */
export const TENANT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** What an app's name may be here: a path segment that names nothing else. */
const APP_NAME = /^[A-Za-z0-9@._-]{1,214}$/;

/** Splits and checks `name`; throws naming what is wrong with it. */
export function parseDatabaseName(name: string): { app: string; tenant?: string } {
  const [app = "", tenant, ...rest] = name.split("/");
  const invalid = (details: string) => new BuntimeError("BUNTIME_ERR_DATABASE_REQUEST_INVALID", { details });
  if (rest.length > 0) throw invalid(`database ${JSON.stringify(name)}: give app or app/tenant`);
  if (!APP_NAME.test(app) || app.startsWith(".")) throw invalid(`app ${JSON.stringify(app)} is no app name`);
  if (tenant !== undefined && !TENANT_NAME.test(tenant))
    throw invalid(`tenant ${JSON.stringify(tenant)} must be 1 to 64 of A-Z a-z 0-9 _ -`);
  return tenant === undefined ? { app } : { app, tenant };
}

/**
 * Checks that `name` is a database the admin may open: one that exists, or one of an installed
 * app (which the first statement creates, as the app's own first statement would).
 */
export async function knownDatabase(
  name: string,
  databases: DatabaseEngine,
  services: ServiceAccess,
): Promise<string> {
  const { app } = parseDatabaseName(name);
  if ((await databases.list()).includes(name)) return name;
  const installed = services.has("apps") && (await services.get("apps").folders(app)).length > 0;
  if (installed) return name;
  throw new BuntimeError("BUNTIME_ERR_DATABASE_UNKNOWN", {
    database: name,
    details: `no app ${app} is installed, and no such database exists`,
  });
}
