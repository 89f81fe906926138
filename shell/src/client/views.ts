/**
 * The shell's own pages (`/shell/cluster`, `/shell/api-reference`): drawn in the shell's main
 * area by its own script, not framed. Each runs until the user goes elsewhere.
 */
import { followApiReference } from "./api-reference.ts";
import { followCluster } from "./cluster.ts";
import { el } from "./dom.ts";

const VIEWS: Record<
  string,
  { title: string; id: string; follow(section: HTMLElement, signal: AbortSignal): Promise<void> }
> = {
  "/shell/cluster": { title: "Cluster", id: "cluster-view", follow: followCluster },
  "/shell/api-reference": { title: "API", id: "api-reference", follow: followApiReference },
};

/** True when `pathname` is one of the shell's own pages. */
export function isShellView(pathname: string): boolean {
  return Object.hasOwn(VIEWS, pathname);
}

let running: AbortController | undefined;

/** Stops the page shown now, if it is one of the shell's own. */
export function leaveShellView(): void {
  running?.abort();
  running = undefined;
}

/**
 * Shows the shell's page at `pathname` in `main`: the section the server already put there
 * (first load) is adopted, otherwise a new one replaces what was shown.
 */
export function showShellView(main: HTMLElement, pathname: string): void {
  const view = VIEWS[pathname];
  if (!view) return;
  leaveShellView();
  running = new AbortController();
  let section = document.getElementById(view.id);
  if (!section || !main.contains(section)) {
    section = el("section", { class: view.id, id: view.id }, el("h1", {}, view.title));
    main.replaceChildren(section);
  }
  document.title = `${view.title} · Buntime`;
  void view.follow(section, running.signal);
}
