/**
 * A plugin's detail page: the readme rendered safely, versions with dates, dependencies, the
 * permissions in plain words, kernel compatibility, the trust panel, and the actions (which
 * show a plan first; the page script draws it).
 */
import { html, raw } from "hono/html";
import { mediaHref } from "../media.ts";
import { describePermissions, permissionsOf } from "../permissions.ts";
import { renderReadme } from "../readme.ts";
import type { PluginDetail } from "../registry.ts";
import { trustEvidence } from "../trust.ts";
import { day, pluginIcon } from "./browse.ts";
import type { Html } from "./layout.ts";

/** What the page knows of this plugin in the running kernel. */
export interface LocalState {
  kernelVersion: string;
  /** The version the kernel runs, if any. */
  running?: string;
  /** Whether the home's lock installed it (only those can be upgraded, rolled back, removed). */
  installed?: string;
  /** The version kept for rollback. */
  previous?: string;
  compatible: (range: string | null | undefined) => boolean;
}

function actions(detail: PluginDetail, local: LocalState, admin: boolean): Html {
  if (!admin) return html`<p class="note">Only an admin may install, upgrade or remove plugins.</p>`;
  const button = (action: string, label: string) =>
    html`<button type="button" class="action" data-action="${action}" data-name="${detail.name}">${label}</button>`;
  if (!local.installed) return html`<div class="actions">${button("install", "Install")}</div>`;
  return html`<div class="actions">
    ${local.installed !== detail.version ? button("upgrade", "Upgrade") : ""}
    ${local.previous ? button("rollback", `Roll back to ${local.previous}`) : ""}
    ${button("remove", "Remove")}
  </div>`;
}

/** The screenshots the newest version ships, each opening full size; nothing when there are none. */
function screenshots(base: string, detail: PluginDetail): Html | string {
  const shots = (detail.screenshots ?? []).flatMap((shot) => {
    const href = mediaHref(base, shot.url);
    return href ? [{ href, caption: shot.caption }] : [];
  });
  if (shots.length === 0) return "";
  return html`<section id="screenshots" class="screenshots" aria-label="Screenshots">${shots.map(
    (shot) =>
      html`<figure><a href="${shot.href}" target="_blank" rel="noopener"><img src="${shot.href}" alt="${shot.caption || `Screenshot of ${detail.name}`}" loading="lazy" decoding="async"></a>${shot.caption ? html`<figcaption>${shot.caption}</figcaption>` : ""}</figure>`,
  )}</section>`;
}

/** The detail section. */
export function renderDetail(base: string, detail: PluginDetail, local: LocalState, admin: boolean): Html {
  const permissions = describePermissions(permissionsOf(detail.manifest));
  const dependencies = Object.entries(detail.manifest?.dependencies ?? {});
  const kernelRange = detail.manifest?.kernel ?? null;
  const fits = local.compatible(kernelRange);
  return html`<p><a href="${base}/">← All plugins</a></p>
<header class="title">${pluginIcon(base, detail.name, detail.icon, "large")}<h1 id="plugin-name">${detail.name} <span class="version">${detail.version}</span></h1></header>
<p class="summary">${detail.description}</p>
<p class="state">${local.running ? `Running ${local.running}` : "Not running here"}${local.installed ? `; installed ${local.installed}` : ""}</p>
${actions(detail, local, admin)}
<section id="plan" class="plan" hidden aria-live="polite"></section>
${screenshots(base, detail)}
<div class="columns">
  <article class="readme" id="readme">${raw(renderReadme(detail.readme))}</article>
  <aside>
    <section id="permissions"><h2>Permissions</h2>
      ${permissions.length === 0 ? html`<p>Asks for nothing: no network, no environment, no files.</p>` : html`<ul>${permissions.map((line) => html`<li>${line}</li>`)}</ul>`}
    </section>
    <section id="compatibility"><h2>Kernel</h2>
      <p class="${fits ? "good" : "bad"}">Needs kernel ${kernelRange ?? "?"}; this one is ${local.kernelVersion}: ${fits ? "compatible" : "not compatible"}.</p>
    </section>
    <section id="trust"><h2>Trust</h2>
      <ul class="evidence">${trustEvidence(detail).map((e) => html`<li class="${e.kind}">${e.text}</li>`)}</ul>
    </section>
    <section id="dependencies"><h2>Dependencies</h2>
      ${dependencies.length === 0 ? html`<p>None.</p>` : html`<ul>${dependencies.map(([name, range]) => html`<li><a href="${base}/plugin/${name}">${name}</a> ${range}</li>`)}</ul>`}
    </section>
    <section id="versions"><h2>Versions</h2>
      <table><thead><tr><th>version</th><th>published</th><th>kernel</th></tr></thead><tbody>
      ${detail.versions.map((v) => html`<tr class="${v.deprecated ? "deprecated" : ""}"><td>${v.version}</td><td>${day(v.publishedAt)}</td><td class="${local.compatible(v.kernel) ? "good" : "bad"}">${v.kernel ?? "?"}</td></tr>`)}
      </tbody></table>
    </section>
  </aside>
</div>`;
}
