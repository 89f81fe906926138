/**
 * The first-run page (`/shell/setup`): the form for the auth plugin's one-time setup (setup
 * token, username, password), so the first admin is created in a browser rather than with curl.
 * It posts to the auth plugin's `POST <auth>/setup`, which decides; the page itself reveals
 * nothing and needs no sign-in.
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** The page; `auth` is the auth plugin's base, or undefined when none runs. */
export function renderSetupPage(auth: string | undefined): HtmlEscapedString | Promise<HtmlEscapedString> {
  const body = auth
    ? html`<p>Create the first administrator. The one-time setup token is printed in the kernel's
  terminal and kept in <code>&lt;home&gt;/data/@buntime/plugin-auth/setup-token</code>.</p>
<form id="setup" data-auth="${auth}">
  <label>Setup token <input name="token" autocomplete="off" required /></label>
  <label>Username <input name="username" autocomplete="username" required /></label>
  <label>Password <input name="password" type="password" autocomplete="new-password" minlength="8" required /></label>
  <button type="submit">Create the administrator</button>
  <p id="setup-error" class="error" role="alert"></p>
</form>
<script type="module" src="/shell/setup.js"></script>`
    : html`<p class="notice">The auth plugin is not installed: there is no one to set up. Without it, the shell answers on loopback only.</p>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>First run · Buntime</title>
<link rel="icon" href="/shell/icon.svg" type="image/svg+xml" />
<script src="/shell/boot.js"></script>
<link rel="stylesheet" href="/shell/shell.css" />
</head>
<body>
<main class="setup">
<h1>Welcome to Buntime</h1>
${body}
</main>
</body>
</html>`;
}
