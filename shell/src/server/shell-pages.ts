/**
 * The shell's own pages, drawn by the shell itself rather than framed: the cluster view (only on
 * a kernel that runs as a cluster node) and the API reference. They live under the shell's base
 * (`/shell/cluster`, `/shell/api-reference`) so they never take a first segment from an app.
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { MenuEntry } from "./catalog.ts";

/** Which of the shell's own pages an address opens. */
export type ShellView = "cluster" | "api-reference";

const OWNER = "@buntime/shell";

/** Each page's sidebar link. */
export const SHELL_PAGES: Readonly<Record<ShellView, MenuEntry>> = {
  cluster: { label: "Cluster", path: "/shell/cluster", owner: OWNER, kind: "shell" },
  "api-reference": { label: "API", path: "/shell/api-reference", owner: OWNER, kind: "shell" },
};

/** The shell's links for the sidebar: Cluster only when the kernel is a cluster node. */
export function shellMenu(clustered: boolean): MenuEntry[] {
  return clustered ? [SHELL_PAGES.cluster, SHELL_PAGES["api-reference"]] : [SHELL_PAGES["api-reference"]];
}

/**
 * The page's frame before its script fills it in (the script reads the data and renders it as
 * text; nothing the server sends about nodes or routes is ever parsed as HTML).
 */
export function renderShellView(view: ShellView): HtmlEscapedString | Promise<HtmlEscapedString> {
  if (view === "cluster")
    return html`<section class="cluster" id="cluster-view" aria-labelledby="cluster-title">
  <h1 id="cluster-title">Cluster</h1>
  <p class="health" id="cluster-summary">Reading the cluster's nodes…</p>
  <noscript><p class="notice">This page needs JavaScript; <code>GET /shell/api/cluster</code> answers the same as JSON.</p></noscript>
</section>`;
  return html`<section class="api-reference" id="api-reference" aria-labelledby="api-title">
  <h1 id="api-title">API</h1>
  <p class="health" id="api-summary">Reading <code>/_/api/openapi.json</code>…</p>
  <noscript><p class="notice">This page needs JavaScript; <a href="/_/api/openapi.json">the OpenAPI document</a> is JSON.</p></noscript>
</section>`;
}
