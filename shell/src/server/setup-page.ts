/**
 * The shell's old first-run address (`/shell/setup`). The auth plugin now serves the first-admin
 * page itself (`<auth>/setup`, reached from its sign-in page), so this address only forwards
 * there, keeping where the visit was going (`next`); it stays so that links and notes from
 * earlier versions still work. Without the auth plugin there is no one to set up, and it says so.
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/**
 * `next` as a path on this site (path, query, fragment), or undefined for anything else. The auth
 * plugin judges it again; this only keeps the forward from carrying another site's address.
 */
function sameOriginPath(next: string | null, url: URL): string | undefined {
  if (next === null || !next.startsWith("/") || next.startsWith("//") || next.includes("\\"))
    return undefined;
  const target = URL.parse(next, url);
  if (target === null || target.origin !== url.origin) return undefined;
  const path = target.pathname + target.search + target.hash;
  return path.startsWith("//") ? undefined : path; // `/.//evil` parses to `//evil`
}

/** Where `/shell/setup` (asked as `url`) forwards to: the auth plugin's first-admin page at `auth`. */
export function setupAddress(auth: string, url: string): string {
  const asked = new URL(url);
  const next = sameOriginPath(asked.searchParams.get("next"), asked);
  return next === undefined ? `${auth}/setup` : `${auth}/setup?next=${encodeURIComponent(next)}`;
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
