/**
 * The Cluster page (`/shell/cluster`): every node of the cluster with its kernel version, the
 * generation it applied against the current one, its last reconcile, and the plugins degraded on
 * it with their reasons, read from `/shell/api/cluster` (the kernel's `kernel:cluster` view) and
 * read again every few seconds while the page is open. All of it is rendered as text.
 */
import type { ClusterView, ClusterViewNode } from "@buntime/sdk";
import { ago, el } from "./dom.ts";

/** How often the page reads the view again. */
export const CLUSTER_REFRESH_MS = 5_000;

/** A node's state in a word: behind (not on the current generation), degraded, or ready. */
function stateOf(node: ClusterViewNode): "behind" | "degraded" | "ready" {
  if (!node.current) return "behind";
  return node.degraded.length > 0 ? "degraded" : "ready";
}

function nodeRow(node: ClusterViewNode, view: Extract<ClusterView, { cluster: true }>, now: number) {
  const state = stateOf(node);
  const degraded =
    node.degraded.length === 0
      ? "none"
      : el(
          "ul",
          { class: "degraded" },
          ...node.degraded.map((item) =>
            el(
              "li",
              { "data-plugin": item.plugin },
              el("strong", {}, item.plugin),
              ": ",
              el("span", { class: "reason" }, item.reason),
            ),
          ),
        );
  return el(
    "tr",
    { class: state, "data-node": node.node },
    el(
      "td",
      { class: "name" },
      node.node,
      node.node === view.node ? el("span", { class: "this-node" }, " (this node)") : false,
      node.address !== undefined && el("div", { class: "address" }, node.address),
    ),
    el("td", { class: "version" }, node.version),
    el("td", { class: "generation" }, `${node.appliedGeneration} of ${view.generation}`),
    el(
      "td",
      { class: "reconcile" },
      el("time", { datetime: node.lastReconcile, title: node.lastReconcile }, ago(node.lastReconcile, now)),
    ),
    el("td", { class: "state" }, state),
    el("td", { class: "plugins" }, degraded),
  );
}

function summary(view: Extract<ClusterView, { cluster: true }>): HTMLElement {
  const behind = view.nodes.filter((node) => !node.current).length;
  const degraded = view.nodes.filter((node) => node.degraded.length > 0).length;
  const good = behind === 0 && degraded === 0;
  const parts = [
    `${view.nodes.length} node${view.nodes.length === 1 ? "" : "s"} on generation ${view.generation}`,
    behind > 0 ? `${behind} behind` : "all caught up",
    ...(degraded > 0 ? [`${degraded} with degraded plugins`] : []),
  ];
  return el("p", { class: `health ${good ? "good" : "bad"}`, id: "cluster-summary" }, `${parts.join("; ")}.`);
}

/** The page's content for `view`, read at `now`. */
export function renderCluster(view: ClusterView, now = Date.now()): HTMLElement[] {
  if (!view.cluster)
    return [
      el(
        "p",
        { class: "notice", id: "cluster-none" },
        "This kernel is not in a cluster: it runs as a single node. Give it a ",
        el("code", {}, "cluster"),
        " section (or ",
        el("code", {}, "BUNTIME_CLUSTER_POSTGRES"),
        ") to run several nodes on one desired state; see docs/scale-out.md.",
      ),
    ];
  const self = el(
    "p",
    { id: "cluster-self" },
    `This node, ${view.node}, is ${view.ready ? "ready" : "not ready"}`,
    view.reason ? `: ${view.reason}` : ".",
  );
  const table = el(
    "table",
    { class: "plugins nodes", id: "cluster-nodes" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ...["node", "kernel", "generation", "last reconcile", "state", "degraded plugins"].map((h) =>
          el("th", {}, h),
        ),
      ),
    ),
    el("tbody", {}, ...view.nodes.map((node) => nodeRow(node, view, now))),
  );
  return [summary(view), self, table];
}

/** Why a read failed, for the notice above the last good view. */
async function failure(response: Response): Promise<string> {
  const body = (await response.json().catch(() => undefined)) as
    | { error?: { message?: unknown } }
    | undefined;
  const message = typeof body?.error?.message === "string" ? `: ${body.error.message}` : "";
  return `the shell answered ${response.status}${message}`;
}

/**
 * Fills `section` with the cluster view and reads it again every `CLUSTER_REFRESH_MS` until
 * `signal` aborts (the user left the page). A failed read keeps the last view, with a notice.
 */
export async function followCluster(section: HTMLElement, signal: AbortSignal): Promise<void> {
  const heading = section.querySelector("h1") ?? el("h1", { id: "cluster-title" }, "Cluster");
  const status = el("p", { class: "updated", id: "cluster-updated" });
  let shown: HTMLElement[] = [];
  while (!signal.aborted) {
    try {
      const response = await fetch("/shell/api/cluster", { signal, headers: { accept: "application/json" } });
      if (!response.ok) throw new Error(await failure(response));
      shown = renderCluster((await response.json()) as ClusterView);
      status.className = "updated";
      status.textContent = `Updated ${new Date().toLocaleTimeString()}; every ${CLUSTER_REFRESH_MS / 1000} s.`;
    } catch (error) {
      if (signal.aborted) return;
      status.className = "updated error";
      const why = error instanceof Error ? error.message : String(error);
      status.textContent = `Could not read the cluster (${why})${shown.length > 0 ? "; showing the last answer" : ""}.`;
    }
    section.replaceChildren(heading, ...shown, status);
    await pause(CLUSTER_REFRESH_MS, signal);
  }
}

/** Waits `ms`, or less when `signal` aborts first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}
