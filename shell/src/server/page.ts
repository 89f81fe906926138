/**
 * The shell page: complete HTML with the menu (and the home, or the frame of the UI the address
 * names) already in it, so it paints before any script runs; `/shell/shell.js` then takes over.
 */
import type { RequestUser } from "@buntime/sdk";
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { type Catalog, type MenuEntry, segmentOf } from "./catalog.ts";
import { renderHome } from "./home.ts";
import { renderShellView, SHELL_PAGES, type ShellView } from "./shell-pages.ts";
import type { TimingSummary } from "./timings.ts";

/** The UI an address opens: its menu entry and the path inside it. */
export interface Opened {
  readonly entry: MenuEntry;
  readonly rest: string;
}

/** The menu entry whose first segment `pathname` starts with, and the rest of the path. */
export function locateUi(menu: readonly MenuEntry[], pathname: string, search = ""): Opened | undefined {
  const segment = segmentOf(pathname);
  const entry = menu.find((item) => item.kind !== "shell" && segmentOf(item.path) === segment);
  if (!entry || segment === "") return undefined;
  return { entry, rest: (pathname.slice(segment.length + 1) || "/") + search };
}

/** JSON for a `<script type="application/json">`: `<` escaped so no `</script>` ends it early. */
function jsonData(value: unknown): HtmlEscapedString {
  return raw(JSON.stringify(value).replace(/</g, "\\u003c")) as HtmlEscapedString;
}

/** The whole page. */
export function renderPage(options: {
  readonly catalog: Catalog;
  readonly opened?: Opened;
  /** One of the shell's own pages, instead of the home or a frame. */
  readonly view?: ShellView;
  readonly user?: RequestUser;
  readonly auth: boolean;
  readonly loginPath: string;
  readonly timings: TimingSummary;
}): Promise<HtmlEscapedString> | HtmlEscapedString {
  const { catalog, opened, user, view } = options;
  const current = opened ? segmentOf(opened.entry.path) : "";
  const isCurrent = (item: MenuEntry) =>
    item.kind === "shell"
      ? view !== undefined && item.path === SHELL_PAGES[view].path
      : segmentOf(item.path) === current;
  const title = opened ? opened.entry.label : view ? SHELL_PAGES[view].label : undefined;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>${title ? `${title} · Buntime` : "Buntime"}</title>
<link rel="icon" href="/shell/icon.svg" type="image/svg+xml" />
<script src="/shell/boot.js"></script>
<link rel="stylesheet" href="/shell/shell.css" />
<script type="module" src="/shell/shell.js"></script>
</head>
<body>
<div class="layout">
  <aside class="sidebar">
    <a class="brand" href="/" data-shell-link>Buntime</a>
    <nav id="menu" aria-label="Apps and plugins">
      ${catalog.menu.map(
        (item) =>
          html`<a href="${item.path}" data-shell-link data-kind="${item.kind}"${isCurrent(item) ? raw(' aria-current="page"') : ""}>${item.label}</a>`,
      )}
    </nav>
    <div class="prefs">
      <label>Theme <select id="theme-choice"><option value="system">System</option><option value="light">Light</option><option value="dark">Dark</option></select></label>
      <label>Density <select id="density-choice"><option value="comfortable">Comfortable</option><option value="compact">Compact</option></select></label>
    </div>
    <p class="who">${
      user
        ? html`Signed in as <strong>${user.username}</strong>`
        : options.auth
          ? html`<a href="${options.loginPath}">Sign in</a>`
          : "Loopback only (no auth plugin)"
    }</p>
  </aside>
  <main id="main">${
    opened
      ? html`<z-frame src="/${current}" pathname="${opened.rest}" data-label="${opened.entry.label}"></z-frame>
<noscript><p class="notice">The shell needs JavaScript to frame this page; <a href="${opened.entry.path}?standalone">open it on its own</a>.</p></noscript>`
      : view
        ? renderShellView(view)
        : renderHome(catalog, options.auth, options.timings)
  }</main>
</div>
<div id="overlays" aria-live="polite"></div>
<script type="application/json" id="shell-data">${jsonData({ menu: catalog.menu, loginPath: options.loginPath, auth: options.auth })}</script>
</body>
</html>`;
}
