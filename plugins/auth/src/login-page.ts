/**
 * The sign-in page: a plain form that posts to `/auth/login`, a link for OpenID Connect, and,
 * while no admin exists, the way to create the first one.
 */
import { authPage, errorLine, escapeHtml, withNext } from "./pages.ts";

/**
 * Renders the page; `next` is where a successful sign-in lands (kept in the form's action too,
 * so a refused attempt shows the page again with it); `setup` says no admin exists yet.
 */
export function loginPage(options: {
  base: string;
  next: string;
  error?: string;
  oidc: boolean;
  setup?: boolean;
}): string {
  const { base, next } = options;
  const oidc = options.oidc
    ? `<p><a href="${escapeHtml(`${base}/oidc/login?next=${encodeURIComponent(next)}`)}">Sign in with single sign-on</a></p>`
    : "";
  const setup = options.setup
    ? `<p class="setup">No admin yet? <a href="${escapeHtml(withNext(`${base}/setup`, next))}">Create the first admin</a> with the one-time setup token the kernel printed.</p>`
    : "";
  return authPage(
    "Sign in",
    `${setup}
${errorLine(options.error)}
<form method="post" action="${escapeHtml(withNext(`${base}/login`, next))}">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<label>Username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
${oidc}`,
  );
}
