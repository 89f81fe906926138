/**
 * The first-admin page (`/auth/setup`): while no admin exists, whoever holds the one-time setup
 * token (printed in the kernel's log at start, kept in a file only its owner reads) chooses the
 * admin's name and password here, is signed in, and lands where they were going. Once an admin
 * exists it only says so and links to sign-in.
 */
import { authPage, errorLine, escapeHtml, withNext } from "./pages.ts";

/** Renders the page; `pending` is false once an admin exists; `username` refills the form after a refusal. */
export function setupPage(options: {
  base: string;
  next: string;
  pending: boolean;
  error?: string;
  username?: string;
}): string {
  const { base, next } = options;
  const signIn = escapeHtml(withNext(`${base}/login`, next));
  if (!options.pending) {
    return authPage(
      "Create the first admin",
      `${errorLine(options.error)}
<p>An admin already exists: this page works only once. <a href="${signIn}">Sign in</a>.</p>`,
    );
  }
  return authPage(
    "Create the first admin",
    `<p>No user can sign in yet. Create the administrator with the one-time setup token the kernel
printed at start (<code>buntime auth: one-time setup token …</code>), also kept in
<code>data/@buntime/plugin-auth/setup-token</code> under the kernel's home.</p>
${errorLine(options.error)}
<form method="post" action="${escapeHtml(withNext(`${base}/setup`, next))}">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<label>Setup token <input name="token" autocomplete="one-time-code" spellcheck="false" required></label>
<label>Username <input name="username" autocomplete="username" value="${escapeHtml(options.username ?? "admin")}" required></label>
<label>Password <input name="password" type="password" autocomplete="new-password" minlength="8" required></label>
<label>Repeat the password <input name="confirm" type="password" autocomplete="new-password" minlength="8" required></label>
<button type="submit">Create the admin and sign in</button>
</form>
<p class="hint">Already have an account? <a href="${signIn}">Sign in</a>.</p>`,
  );
}
