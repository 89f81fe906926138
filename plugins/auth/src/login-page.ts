/** The sign-in page: a plain form that posts to `/auth/login`, a link for OpenID Connect, and one to the shell's first-run page. */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * Renders the page; `next` is where a successful sign-in lands; `setup`, the shell's first-run
 * page, is linked while no admin exists (there is no one to sign in as yet).
 */
export function loginPage(options: {
  base: string;
  next: string;
  error?: string;
  oidc: boolean;
  setup?: string;
}): string {
  const next = escapeHtml(options.next);
  const error = options.error ? `<p role="alert" class="error">${escapeHtml(options.error)}</p>` : "";
  const oidc = options.oidc
    ? `<p><a href="${options.base}/oidc/login?next=${encodeURIComponent(options.next)}">Sign in with single sign-on</a></p>`
    : "";
  const setup = options.setup
    ? `<p class="setup">No admin yet? <a href="${escapeHtml(options.setup)}">Create the first admin</a> with the one-time setup token the kernel printed.</p>`
    : "";
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Buntime</title>
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}
label,input,button{display:block;width:100%;margin:.4rem 0}input,button{padding:.5rem;box-sizing:border-box}
.error{color:#b00020}</style></head>
<body>
<h1>Sign in</h1>
${setup}
${error}
<form method="post" action="${options.base}/login">
<input type="hidden" name="next" value="${next}">
<label>Username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
${oidc}
</body>
</html>`;
}
