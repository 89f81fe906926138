/**
 * A login role per database, owner of its schema and of nothing else, so an app's SQL (which
 * could name any schema, or `SET ROLE` back) reaches no other app's tables: the server checks it.
 * Its password is derived from the plugin's own URL, so every kernel on the server knows it
 * without storing it.
 */
import { createHmac } from "node:crypto";
import type { SQL } from "bun";

/** The role's password: HMAC-SHA256 of its name under the administrator's URL. */
export function rolePassword(adminUrl: string, role: string): string {
  return createHmac("sha256", adminUrl).update(role).digest("hex");
}

/** The URL the role logs in with: the administrator's, with the role's name and password. */
export function roleUrl(adminUrl: string, role: string): string {
  const url = new URL(adminUrl);
  url.username = role;
  url.password = rolePassword(adminUrl, role);
  return url.toString();
}

/**
 * Creates role `name` and its schema (also `name`, labelled with `database`) when missing, under an advisory lock so
 * kernels starting at once create them once. `name` is ours (`buntime_db_<hex>`): safe to quote.
 */
export async function ensureRole(
  admin: SQL,
  adminUrl: string,
  name: string,
  database: string,
): Promise<void> {
  await admin.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`role:${name}`}, 0))`;
    const exists = (await tx`SELECT 1 FROM pg_roles WHERE rolname = ${name}`).length > 0;
    const password = rolePassword(adminUrl, name);
    if (!exists) await tx.unsafe(`CREATE ROLE "${name}" LOGIN NOINHERIT PASSWORD '${password}'`);
    await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS "${name}" AUTHORIZATION "${name}"`);
    await tx.unsafe(`REVOKE ALL ON SCHEMA "${name}" FROM PUBLIC`);
    await tx.unsafe(`ALTER ROLE "${name}" SET search_path = "${name}"`);
    // the console lists databases by these labels (a schema's name is a hash of its database's)
    await tx.unsafe(`COMMENT ON SCHEMA "${name}" IS '${database.replaceAll("'", "''")}'`);
  });
}
