/**
 * The shell's old first-run address (`/shell/setup`). The auth plugin now serves the first-admin
 * page itself (`<auth>/setup`, reached from its sign-in page), so this address only forwards
 * there, keeping where the visit was going (`next`); it stays so that links and notes from
 * earlier versions still work. Without the auth plugin there is no one to set up, and it says so.
 */
import { signInUrl } from "@buntime/sdk";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/**
 * Where `/shell/setup` (asked as `url`) forwards to: the auth plugin's first-admin page at `auth`,
 * with `next` when it is a path on this site (never another site's address; auth judges it again).
 */
export function setupAddress(auth: string, url: string): string {
  return signInUrl(`${auth}/setup`, new URL(url).searchParams.get("next") ?? undefined);
}

/** The page without the auth plugin: nothing to set up. */
export function renderNoAuthPage(): HtmlEscapedString | Promise<HtmlEscapedString> {
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
<p class="notice">The auth plugin is not installed: there is no one to set up. Without it, the shell answers on loopback only.</p>
</main>
</body>
</html>`;
}
