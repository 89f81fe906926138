/**
 * Who may use the database's admin API (the SQL console, backups, restores): a user with the
 * `admin` role, as the auth plugin names them in `locals.user`, or a caller with the kernel's
 * admin token. Without the auth plugin only the token counts: the console reaches every app's
 * database, and apps run on this machine too, so a loopback address proves nothing.
 */
import { BuntimeError, type RequestContext, type ServiceAccess, signInPath } from "@buntime/sdk";
import type { Context } from "hono";

type Env = { Bindings: RequestContext };

/**
 * The admin making the request (their username, or `admin-token`).
 * @throws BuntimeError `BUNTIME_ERR_DATABASE_ADMIN_REQUIRED` (401) without credentials,
 *   `BUNTIME_ERR_DATABASE_ADMIN_ONLY` (403) for a user who is not an admin.
 */
export function requireAdmin(c: Context<Env>, services: ServiceAccess, action: string): string {
  if (services.has("kernel:admin") && services.get("kernel:admin").isAdmin(c.req.raw)) return "admin-token";
  const user = c.env?.locals?.user;
  if (user?.roles.includes("admin")) return user.username;
  if (user) throw new BuntimeError("BUNTIME_ERR_DATABASE_ADMIN_ONLY", { user: user.username, action });
  const signIn = signInPath(services);
  throw new BuntimeError("BUNTIME_ERR_DATABASE_ADMIN_REQUIRED", {
    action,
    how: signIn
      ? `sign in as an admin at ${signIn}`
      : "send the kernel's admin token (<home>/admin-token) as Authorization: Bearer",
  });
}

/** Refuses a write whose body is not JSON: a cross-site form cannot send `application/json`. */
export async function jsonBody(c: Context<Env>): Promise<unknown> {
  if (!(c.req.header("content-type") ?? "").startsWith("application/json"))
    throw new BuntimeError("BUNTIME_ERR_DATABASE_REQUEST_INVALID", {
      details: "send the request body as application/json",
    });
  try {
    return await c.req.json();
  } catch {
    throw new BuntimeError("BUNTIME_ERR_DATABASE_REQUEST_INVALID", { details: "the body is not JSON" });
  }
}
