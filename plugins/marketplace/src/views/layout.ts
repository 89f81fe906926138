/**
 * The frame of every marketplace page: complete HTML that paints without scripts, the
 * stylesheet and the page script from the plugin's `ui` folder, and the shell's frame protocol
 * (so links and Back work inside the shell; standalone the page works as it is).
 */
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** Rendered HTML (hono's escaped string). */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * The page's Content-Security-Policy: scripts only from this origin, no inline script, no
 * plugins, no `<base>` tricks, no forms to elsewhere. A readme that slipped past the renderer
 * still could not run.
 */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

/** A whole page at `base` with `title`, the tab `current` and `body`. */
export function page(
  base: string,
  title: string,
  current: "browse" | "installed" | "audit",
  body: Html,
): Html {
  const tab = (name: typeof current, href: string, label: string) =>
    html`<a href="${href}" class="${current === name ? "tab current" : "tab"}"${current === name ? raw(' aria-current="page"') : ""}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Marketplace</title>
<link rel="stylesheet" href="${base}/marketplace.css">
<script type="module" src="/shell/frame.js"></script>
<script type="module" src="${base}/marketplace.js"></script>
</head>
<body data-base="${base}">
<nav class="tabs">${tab("browse", `${base}/`, "Browse")}${tab("installed", `${base}/installed`, "Installed")}${tab("audit", `${base}/audit`, "Audit trail")}</nav>
<main>${body}</main>
</body>
</html>`;
}

/** A short "something went wrong" section, with the error's code when it has one. */
export function problem(message: string, code?: string): Html {
  return html`<section class="problem" role="alert"><p>${message}</p>${code ? html`<p><code>${code}</code></p>` : ""}</section>`;
}
