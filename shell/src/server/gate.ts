/**
 * Who may see the shell. With the auth plugin, a signed-in user (a page request without one is
 * sent to the sign-in page and comes back); without it, only the machine itself (loopback),
 * since the shell lists everything that runs.
 */
import {
  authRequired,
  BuntimeError,
  type PluginContext,
  type RequestContext,
  type RequestUser,
  signInPath,
  signInUrl,
} from "@buntime/sdk";

/** The verdict: a user (or none, on loopback without auth), or the response to send instead. */
export type Admission = { readonly user?: RequestUser; readonly auth: boolean } | Response;

/** True for an IPv4 or IPv6 loopback address (IPv4-mapped too). */
export function isLoopback(address: string): boolean {
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

/**
 * Admits `request` or answers it. `page` says whether a browser navigates (it gets a redirect
 * to sign in) or a script calls (it gets the coded 401 naming the sign-in page).
 */
export async function admit(
  ctx: PluginContext,
  request: Request,
  context: RequestContext,
  page: boolean,
): Promise<Admission> {
  if (ctx.services.has("auth")) {
    const user = context.locals.user ?? (await ctx.services.get("auth").currentUser(request));
    if (user) return { user, auth: true };
    const signIn = signInPath(ctx.services);
    if (!page || signIn === undefined) return authRequired(context.pathname, signIn);
    const next = context.pathname + new URL(request.url).search;
    return new Response(null, { status: 302, headers: { location: signInUrl(signIn, next) } });
  }
  const address = context.clientAddress();
  if (address === undefined || isLoopback(address)) return { auth: false };
  return new BuntimeError("BUNTIME_ERR_SHELL_LOOPBACK_ONLY", { address }).getResponse();
}
