// The logs page: queries api/logs with the form's filters, then follows api/tail live (with
// "all nodes", api/logs?node=all once: every node of the cluster, no live tail). The
// filters live in the page's address (`/logs/?level=warn`), so a search is a navigation: through
// the shell's frameSDK when the page is in the shell (one history entry, in the shell), with
// history.pushState alone; Back shows the earlier search again.
const MAX_ROWS = 2000;
const FIELDS = ["level", "plugin", "namespace", "app", "q", "since", "node"];
const form = document.getElementById("filters");
const lines = document.getElementById("lines");
const status = document.getElementById("status");
// loaded before this module when the shell is installed; absent otherwise
const sdk = window.frameSDK;
let source;
let shown = 0;

/** The query of the form's filters (and `live=0` when Live is off), as the address keeps it. */
function formQuery() {
  const params = new URLSearchParams();
  const data = new FormData(form);
  for (const name of FIELDS) {
    const value = String(data.get(name) || "").trim();
    if (value) params.set(name, value);
  }
  if (!form.elements.live.checked) params.set("live", "0");
  return params;
}

/** Puts the filters of an address's query into the form. */
function fillForm(query) {
  const params = new URLSearchParams(query);
  for (const name of FIELDS) form.elements[name].value = params.get(name) ?? "";
  form.elements.live.checked = params.get("live") !== "0";
}

/** The API's filters for the form's: `since` as an instant. */
function apiFilters() {
  const params = formQuery();
  params.delete("live");
  const since = params.get("since");
  if (since) params.set("since", new Date(since).toISOString());
  return params;
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
}

function addLine(entry) {
  const row = document.createElement("tr");
  row.className = entry.level;
  row.dataset.seq = String(entry.seq);
  cell(row, entry.time.replace("T", " ").replace("Z", ""), "time");
  cell(row, entry.node, "node");
  cell(row, entry.level, "level");
  cell(row, entry.namespace, "namespace");
  cell(row, entry.message);
  cell(row, entry.fields ? JSON.stringify(entry.fields) : "");
  lines.prepend(row);
  shown++;
  while (lines.childElementCount > MAX_ROWS) lines.lastElementChild.remove();
}

function follow(params, after) {
  if (source) source.close();
  source = undefined;
  // a tail follows this node's lines only
  if (!form.elements.live.checked || params.get("node")) return;
  const tail = new URLSearchParams(params);
  tail.delete("since");
  tail.set("after", String(after));
  source = new EventSource(`api/tail?${tail}`);
  source.addEventListener("log", (event) => {
    addLine(JSON.parse(event.data));
    status.textContent = `${shown} lines · live`;
  });
  source.onopen = () => {
    status.textContent = `${shown} lines · live`;
  };
  source.onerror = () => {
    status.textContent = `${shown} lines · reconnecting…`;
  };
}

/** With node=all: which nodes answered, and why the others are missing (a node never fails the page). */
function nodesNote(body) {
  if (!body.nodes) return "";
  const answered = body.nodes.filter((node) => node.status === "ok").map((node) => node.node);
  const missing = body.nodes
    .filter((node) => node.status === "missing")
    .map((node) => `${node.node} (${node.reason})`);
  const parts = [` · from ${answered.join(", ") || "no node"}`];
  if (missing.length > 0) parts.push(` · missing: ${missing.join("; ")}`);
  if (body.error) parts.push(` · ${body.error}`);
  return parts.join("");
}

/** Signed out: in the shell, the shell takes the window to sign-in and back; alone, a link to where the 401 says does. */
function askSignIn(body) {
  sdk?.emit("sign-in");
  const link = document.createElement("a");
  link.href = `${body?.signIn ?? "/auth/login"}?next=${encodeURIComponent(location.pathname + location.search)}`;
  link.target = "_top";
  link.textContent = "Sign in";
  status.replaceChildren(link, " to see the logs (they need an admin).");
}

async function search() {
  const params = apiFilters();
  const query = new URLSearchParams(params);
  query.set("limit", "500");
  const response = await fetch(`api/logs?${query}`);
  const body = await response.json();
  lines.replaceChildren();
  shown = 0;
  if (response.status === 401) return askSignIn(body);
  if (!response.ok) {
    status.textContent = body.error ? body.error.message : `error ${response.status}`;
    return;
  }
  for (const entry of body.entries) addLine(entry);
  status.textContent = `${shown} lines${body.truncated ? " (older ones left out)" : ""}${nodesNote(body)}`;
  follow(params, body.recorded);
}

let shownQuery;

/** Shows the search of `path` (`/?level=warn`, relative to the page), unless it is already shown. */
function show(path) {
  const query = new URLSearchParams(path.includes("?") ? path.slice(path.indexOf("?")) : "").toString();
  if (query === shownQuery) return;
  shownQuery = query;
  fillForm(query);
  search();
}

/** Goes to the form's search: a new entry, or in place of this one (`replace`). */
function go(replace) {
  const query = formQuery().toString();
  const path = query ? `/?${query}` : "/";
  if (sdk) {
    sdk.navigate(path, { replace });
    return;
  }
  const url = `${location.pathname}${query ? `?${query}` : ""}`;
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  show(path);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  go(false);
});
form.elements.live.addEventListener("change", () => go(true));
// in the shell, Back and Forward arrive as routes; alone, as popstate
sdk?.onRoute(show);
window.addEventListener("popstate", () => show(location.search));
show(location.search);
sdk?.initialize().catch(() => {});
