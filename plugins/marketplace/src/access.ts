/**
 * Who may use the marketplace. Reading: with the auth plugin, any signed-in user; without it,
 * only the machine itself (loopback), as the shell. Acting (install, upgrade, roll back,
 * remove): an admin, that is a user with the `admin` role, or a caller with the kernel's admin
 * token; without the auth plugin, loopback callers. Writes are also same-origin only: the
 * kernel refuses cross-site writes to `/marketplace/api/*` (CSRF), and these routes accept only
 * `application/json` bodies, which a cross-site form cannot send.
 */
import {
  authRequired,
  BuntimeError,
  type PluginContext,
  type RequestContext,
  type RequestUser,
  signInPath,
} from "@buntime/sdk";

/** Who is asking: the user (if any), whether they may act, and whether sign-in protects the kernel. */
export interface Caller {
  user?: RequestUser;
  admin: boolean;
  /** How they prove it, for the audit trail: a username, `admin-token` or `loopback`. */
  who: string;
}

/** True for an IPv4 or IPv6 loopback address (IPv4-mapped too). */
export function isLoopback(address: string): boolean {
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

/** The caller of `request`, or the refusal to send (401 naming the sign-in page without a user, 403 off loopback without auth). */
export async function callerOf(
  ctx: PluginContext,
  request: Request,
  context: RequestContext,
): Promise<Caller | Response> {
  if (ctx.services.get("kernel:admin").isAdmin(request)) return { admin: true, who: "admin-token" };
  if (ctx.services.has("auth")) {
    const user = context.locals.user ?? (await ctx.services.get("auth").currentUser(request));
    if (!user) return authRequired(context.pathname, signInPath(ctx.services)); // names where to sign in
    return { user, admin: user.roles.includes("admin"), who: user.username };
  }
  const address = context.clientAddress();
  if (address !== undefined && !isLoopback(address))
    return new BuntimeError("BUNTIME_ERR_MARKETPLACE_LOOPBACK_ONLY", { address }).getResponse();
  return { admin: true, who: "loopback" };
}

/** Refuses a caller who may not act. */
export function requireAdmin(caller: Caller, action: string): void {
  if (!caller.admin)
    throw new BuntimeError("BUNTIME_ERR_MARKETPLACE_ADMIN_ONLY", { user: caller.who, action });
}
