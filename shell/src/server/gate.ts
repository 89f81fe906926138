/**
 * Who may see the shell. With the auth plugin, a signed-in user (a page request without one is
 * sent to the sign-in page and comes back); without it, only the machine itself (loopback),
 * since the shell lists everything that runs.
 */
import {
  BuntimeError,
  type KernelPlugins,
  type PluginContext,
  type RequestContext,
  type RequestUser,
} from "@buntime/sdk";

/** The verdict: a user (or none, on loopback without auth), or the response to send instead. */
export type Admission = { readonly user?: RequestUser; readonly auth: boolean } | Response;

/** True for an IPv4 or IPv6 loopback address (IPv4-mapped too). */
export function isLoopback(address: string): boolean {
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

/** The base of the running plugin that provides `auth` (`/auth` for the first-party one), if any. */
export function authBase(plugins: KernelPlugins): string | undefined {
  const auth = plugins
    .list()
    .find((plugin) => plugin.status === "running" && plugin.provides.includes("auth"));
  return auth ? (auth.base ?? "/auth") : undefined;
}

/** Where the auth plugin signs users in. */
export function loginPath(plugins: KernelPlugins): string {
  return `${authBase(plugins) ?? "/auth"}/login`;
}

/**
 * Admits `request` or answers it. `page` says whether a browser navigates (it gets a redirect
 * to sign in) or a script calls (it gets a coded 401).
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
    if (!page) return new BuntimeError("BUNTIME_ERR_AUTH_REQUIRED", { path: context.pathname }).getResponse();
    const next = encodeURIComponent(context.pathname + new URL(request.url).search);
    return new Response(null, {
      status: 302,
      headers: { location: `${loginPath(ctx.services.get("kernel:plugins"))}?next=${next}` },
    });
  }
  const address = context.clientAddress();
  if (address === undefined || isLoopback(address)) return { auth: false };
  return new BuntimeError("BUNTIME_ERR_SHELL_LOOPBACK_ONLY", { address }).getResponse();
}
