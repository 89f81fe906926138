/**
 * The home page's content: what runs (plugins with their state, apps with pages), at a glance,
 * and where to read more. Rendered on the server, and again when the client asks after a change.
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { Catalog } from "./catalog.ts";
import type { TimingSummary } from "./timings.ts";

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The docs a newcomer wants first (files of the Buntime repository's `docs/` folder). */
const DOCS = [
  ["getting-started.md", "Getting started"],
  ["shell.md", "The shell and the frame protocol"],
  ["writing-a-plugin.md", "Writing a plugin"],
  ["kernel-api.md", "The kernel API"],
] as const;

/** The home section, given the catalog, whether sign-in protects the shell, and how fast frames answer. */
export function renderHome(catalog: Catalog, auth: boolean, timings: TimingSummary): Html {
  const failed = catalog.plugins.filter((plugin) => plugin.status === "failed");
  const running = catalog.plugins.length - failed.length;
  return html`<section class="home" aria-labelledby="home-title">
  <h1 id="home-title">What runs here</h1>
  <p class="health ${failed.length > 0 ? "bad" : "good"}" id="health">
    ${running} plugin${running === 1 ? "" : "s"} running${failed.length > 0 ? html`, <strong>${failed.length} failed</strong>` : ""};
    ${catalog.apps.length} app${catalog.apps.length === 1 ? "" : "s"} with pages.
    ${timings.count > 0 ? html`<span id="frame-timings">Frames answered the shell in ${timings.p50} ms (p95 ${timings.p95} ms, ${timings.count} opened).</span>` : ""}
  </p>
  ${auth ? "" : html`<p class="notice" id="loopback-notice">No auth plugin is installed: this shell answers on loopback only. Install <code>@buntime/plugin-auth</code> to reach it from elsewhere.</p>`}
  <h2>Plugins</h2>
  <table class="plugins">
    <thead><tr><th>plugin</th><th>version</th><th>state</th><th>at</th></tr></thead>
    <tbody>
      ${catalog.plugins.map(
        (plugin) => html`<tr class="${plugin.status}">
        <td>${plugin.name}</td><td>${plugin.version}</td>
        <td>${plugin.status}${plugin.error ? html`: <span class="error">${plugin.error}</span>` : ""}</td>
        <td>${plugin.ui?.menu?.[0] ? html`<a href="${plugin.ui.menu[0].path}">${plugin.ui.menu[0].path}</a>` : (plugin.base ?? "")}</td>
      </tr>`,
      )}
    </tbody>
  </table>
  <h2>Apps</h2>
  ${
    catalog.apps.length === 0
      ? html`<p class="empty">No app with an <code>index.html</code> yet: put one in the apps folder, or see the docs.</p>`
      : html`<ul class="apps">${catalog.apps.map((app) => html`<li><a href="${app.path}">${app.name}</a></li>`)}</ul>`
  }
  <h2>Read more</h2>
  <ul class="docs">${DOCS.map(([file, title]) => html`<li>${title}: <code>docs/${file}</code></li>`)}</ul>
</section>`;
}
