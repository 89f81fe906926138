/** The Installed tab and the audit trail page. */
import { html } from "hono/html";
import type { AuditRecord } from "../audit.ts";
import type { Html } from "./layout.ts";

/** One installed plugin's row. */
export interface InstalledRow {
  name: string;
  version: string;
  running?: string;
  status?: string;
  previous?: string;
  /** The newest version this kernel supports, when newer than the installed one. */
  update?: string;
  /** Held at its version: "update all" skips it. */
  pinned?: boolean;
}

/** The Installed section; `admin` shows the actions. */
export function renderInstalled(base: string, rows: InstalledRow[], admin: boolean, note?: string): Html {
  const button = (action: string, name: string, label: string) =>
    admin
      ? html`<button type="button" class="action" data-action="${action}" data-name="${name}">${label}</button>`
      : "";
  return html`<h1>Installed</h1>
${note ? html`<p class="note">${note}</p>` : ""}
${rows.length === 0 ? html`<p>Nothing is installed from a registry in this home yet. Plugins loaded from folders are not listed here.</p>` : ""}
${admin && rows.length > 0 ? html`<div class="actions"><button type="button" class="action" data-action="update-all" data-name="all">Update all compatible</button><a class="export" href="${base}/api/export.distro.json" download="buntime.distro.json">Export as a distribution</a></div>` : ""}
<section id="plan" class="plan" hidden aria-live="polite"></section>
<table class="installed"><thead><tr><th>plugin</th><th>installed</th><th>running</th><th>update</th><th></th></tr></thead><tbody>
${rows.map(
  (row) => html`<tr data-name="${row.name}">
  <td><a href="${base}/plugin/${row.name}">${row.name}</a></td><td>${row.version}</td>
  <td class="${row.status === "running" ? "good" : "bad"}">${row.running ? `${row.running} (${row.status})` : "not loaded"}</td>
  <td>${row.update ?? "up to date"}${row.pinned ? html` <span class="badge">pinned</span>` : ""}</td>
  <td class="row-actions">${admin ? html`<button type="button" class="pin" data-name="${row.name}" data-pinned="${row.pinned ? "1" : ""}">${row.pinned ? "Unpin" : "Pin"}</button>` : ""}${row.update ? button("upgrade", row.name, `Upgrade to ${row.update}`) : ""}${row.previous ? button("rollback", row.name, `Roll back to ${row.previous}`) : ""}${button("remove", row.name, "Remove")}</td>
</tr>`,
)}
</tbody></table>`;
}

/** The audit trail section. */
export function renderAudit(base: string, records: AuditRecord[]): Html {
  return html`<h1>Audit trail</h1>
<p>Every install, upgrade, rollback and removal made here, newest first. As JSON Lines: <a href="${base}/api/audit.jsonl">${base}/api/audit.jsonl</a>.</p>
<table class="audit"><thead><tr><th>when</th><th>who</th><th>what</th><th>permissions accepted</th><th>outcome</th></tr></thead><tbody>
${records.map(
  (r) => html`<tr class="${r.outcome === "done" ? "good" : "bad"}"><td>${r.at}</td><td>${r.who}</td>
  <td>${r.action} ${r.plugins.map((p) => `${p.name}@${p.version ?? "?"}${p.replaces ? ` (was ${p.replaces})` : ""}`).join(", ")}</td>
  <td>${r.permissionsAccepted.join("; ") || "none new"}</td><td>${r.outcome}${r.error ? html`: ${r.error}` : ""}</td></tr>`,
)}
</tbody></table>`;
}
