/**
 * Where SQLite databases live: a database's name (`app`, or `app/tenant`) and its file, and the
 * databases a folder holds. Every part of a name is encoded in its file name, so no name
 * reaches outside the folder and none collides with another.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * A database's name: the app's (its default database), or `<app>/<tenant>` for one of the
 * several an app may ask for.
 */
export function databaseName(app: string, tenant?: string): string {
  return tenant === undefined ? app : `${app}/${tenant}`;
}

const encode = (part: string) => encodeURIComponent(part).replaceAll(".", "%2E");

/**
 * The file of a database: `<app>.sqlite`, or `<app>.tenants/<tenant>.sqlite`, every part encoded
 * (dots too), so no name reaches outside `dir` and none collides with another.
 */
export function databaseFile(dir: string, database: string): string {
  const [app = "", tenant] = database.split("/");
  return tenant === undefined
    ? join(dir, `${encode(app)}.sqlite`)
    : join(dir, `${encode(app)}.tenants`, `${encode(tenant)}.sqlite`);
}

/** The databases with a file in `dir` (`<app>.sqlite`, `<app>.tenants/<tenant>.sqlite`), sorted. */
export function listDatabaseFiles(dir: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".sqlite"))
      names.push(decodeURIComponent(entry.name.slice(0, -7)));
    if (!entry.isDirectory() || !entry.name.endsWith(".tenants")) continue;
    const app = decodeURIComponent(entry.name.slice(0, -8));
    for (const tenant of readdirSync(join(dir, entry.name)))
      if (tenant.endsWith(".sqlite")) names.push(`${app}/${decodeURIComponent(tenant.slice(0, -7))}`);
  }
  return names.sort();
}
