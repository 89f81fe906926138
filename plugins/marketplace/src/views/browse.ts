/** The browse page: the search form and one card per plugin. */
import { html } from "hono/html";
import { mediaHref } from "../media.ts";
import { permissionCount } from "../permissions.ts";
import type { PluginCard, SearchQuery } from "../registry.ts";
import type { Html } from "./layout.ts";

const SORTS = [
  ["downloads", "Most downloaded"],
  ["updated", "Recently updated"],
  ["name", "Name"],
  ["relevance", "Best match"],
] as const;

/**
 * A plugin's icon: its image relayed from the registry, or a neutral tile with its initial when
 * it ships none (or the registry's link is not one the marketplace relays).
 */
export function pluginIcon(
  base: string,
  name: string,
  link: string | null | undefined,
  size: "small" | "large",
): Html {
  const href = mediaHref(base, link);
  if (href)
    return html`<img class="icon ${size}" src="${href}" alt="" width="48" height="48" loading="lazy" decoding="async">`;
  const initial = (name.replace(/^@[^/]*\//, "")[0] ?? "?").toUpperCase();
  return html`<span class="icon ${size} placeholder" aria-hidden="true">${initial}</span>`;
}

/** A date as `2026-12-06`, or the input when it is not a date. */
export function day(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : iso;
}

function card(base: string, plugin: PluginCard, installed: string | undefined): Html {
  const signature = plugin.signed.publisher
    ? "publisher-signed"
    : plugin.signed.registry
      ? "registry-signed"
      : "unsigned";
  const count = plugin.permissions ? permissionCount(plugin.permissions) : undefined;
  return html`<li class="card" data-name="${plugin.name}">
  ${pluginIcon(base, plugin.name, plugin.icon, "small")}
  <h3><a href="${base}/plugin/${plugin.name}">${plugin.name}</a> <span class="version">${plugin.version}</span>${installed ? html` <span class="badge installed">installed ${installed}</span>` : ""}${plugin.deprecated ? html` <span class="badge bad">deprecated</span>` : ""}</h3>
  <p class="summary">${plugin.description || "No description."}</p>
  <dl class="facts">
    <div><dt>downloads</dt><dd class="downloads">${plugin.downloads}</dd></div>
    <div><dt>publisher</dt><dd class="publisher">${plugin.publisher}</dd></div>
    <div><dt>last release</dt><dd>${day(plugin.updatedAt)}</dd></div>
    <div><dt>signature</dt><dd class="signature ${signature}">${signature}</dd></div>
    <div><dt>permissions</dt><dd class="permission-count">${count === undefined ? "?" : count === 0 ? "none" : count}</dd></div>
    <div><dt>kernel</dt><dd>${plugin.kernel ?? "?"}</dd></div>
  </dl>
</li>`;
}

/** The browse section: form (works without scripts: a GET) and the cards. */
export function renderBrowse(
  base: string,
  query: SearchQuery & { compatible: boolean },
  categories: { name: string; plugins: number }[],
  result: { total: number; plugins: PluginCard[] },
  installed: ReadonlyMap<string, string>,
): Html {
  return html`<h1>Marketplace</h1>
<form class="search" method="get" action="${base}/" role="search">
  <input type="search" name="q" value="${query.q ?? ""}" placeholder="Search plugins" aria-label="Search plugins">
  <select name="category" aria-label="Category">
    <option value="">All categories</option>
    ${categories.map((c) => html`<option value="${c.name}"${c.name === query.category ? " selected" : ""}>${c.name} (${c.plugins})</option>`)}
  </select>
  <select name="sort" aria-label="Sort">
    ${SORTS.map(([value, label]) => html`<option value="${value}"${value === (query.sort ?? "") ? " selected" : ""}>${label}</option>`)}
  </select>
  <label><input type="checkbox" name="compatible" value="1"${query.compatible ? " checked" : ""}> Compatible with this kernel</label>
  <button type="submit">Search</button>
</form>
<p class="count" id="result-count">${result.total} plugin${result.total === 1 ? "" : "s"}</p>
<ul class="cards">${result.plugins.map((p) => card(base, p, installed.get(p.name)))}</ul>`;
}
