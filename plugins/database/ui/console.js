// The SQL console: pick a database, see its tables and columns, run one statement at a time
// through the plugin's admin API (api/console/*), see the rows or the database's refusal. Every
// value reaches the page as text (textContent), never as markup.

// the admin token (without the auth plugin) lives in this page only: apps share the origin, so
// storage that outlives the page would hand it to any app page opened in the same tab
let adminToken = "";
const el = (id) => document.getElementById(id);
const pick = el("pick");
const databaseInput = el("database");
const runForm = el("run");
const sqlInput = el("sql");
const status = el("status");
const resultTable = el("result").querySelector("table");
let limits = { maxRows: 0, statementTimeout: 0 };
let current = "";

/** Calls the API; the kernel's admin token goes along when one was given (no auth plugin). */
async function api(path, init = {}) {
  const headers = { ...(init.headers ?? {}) };
  if (adminToken) headers.authorization = `Bearer ${adminToken}`;
  const response = await fetch(`api/console/${path}`, { credentials: "same-origin", ...init, headers });
  const body = await response.json().catch(() => ({}));
  return { response, body };
}

function node(tag, text, className) {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  if (className) element.className = className;
  return element;
}

/** Shows why the console is closed to this visitor, and the way in: sign in, or the admin token. */
function refuse(body) {
  el("work").hidden = true;
  el("access").hidden = false;
  el("access-message").textContent = body.error?.message ?? "The SQL console is for admins.";
  const signIn = el("sign-in");
  signIn.hidden = !body.signIn;
  if (body.signIn) signIn.href = `${body.signIn}?next=${encodeURIComponent(location.pathname)}`;
  // signed out (the session ended): in the shell, the shell takes the window to sign-in and back
  if (body.signIn && body.error?.code === "BUNTIME_ERR_DATABASE_ADMIN_REQUIRED")
    window.frameSDK?.emit("sign-in");
  el("token").hidden = Boolean(body.signIn);
}

/** A value as Hrana carries it, as text: NULL, numbers, text, blobs as hex. */
function cellOf(value) {
  const td = document.createElement("td");
  if (!value || value.type === "null") {
    td.textContent = "NULL";
    td.className = "null";
  } else if (value.type === "blob") {
    const bytes = Uint8Array.from(atob(value.base64), (c) => c.charCodeAt(0));
    const hex = [...bytes.slice(0, 32)].map((b) => b.toString(16).padStart(2, "0")).join("");
    td.textContent = `x'${hex}${bytes.length > 32 ? "…" : ""}' (${bytes.length} bytes)`;
    td.className = "blob";
  } else {
    td.textContent = String(value.value);
    if (value.type !== "text") td.className = "number";
  }
  return td;
}

function showRows(columns, rows) {
  const head = resultTable.tHead;
  const body = resultTable.tBodies[0];
  head.replaceChildren();
  body.replaceChildren();
  if (columns.length === 0) return;
  const header = head.insertRow();
  for (const column of columns) {
    const th = node("th", column.name);
    if (column.type) th.title = column.type;
    header.append(th);
  }
  for (const row of rows) body.insertRow().append(...row.map(cellOf));
}

function showFailure(error) {
  el("failure").hidden = false;
  el("failure-message").textContent =
    `${error.code}${error.reason && error.reason !== error.code ? ` (${error.reason})` : ""}: ${error.message}`;
  const statement = el("failure-statement");
  statement.replaceChildren();
  const sql = sqlInput.value;
  if (typeof error.position === "number" && error.position >= 1 && error.position <= sql.length + 1) {
    const at = error.position - 1;
    // the word the database stopped at (or the one character there)
    const token = /^[\p{L}\p{N}_]+/u.exec(sql.slice(at))?.[0] ?? sql.slice(at, at + 1);
    const mark = node("mark", token || " ");
    statement.append(sql.slice(0, at), mark, sql.slice(at + token.length));
    statement.title = `position ${error.position}`;
  }
  statement.hidden = statement.childNodes.length === 0;
}

async function showTables() {
  const { response, body } = await api(`tables?database=${encodeURIComponent(current)}`);
  const list = el("tables");
  list.replaceChildren();
  if (!response.ok) {
    list.append(node("li", body.error?.message ?? `error ${response.status}`, "error"));
    return;
  }
  if (body.tables.length === 0) list.append(node("li", "no tables yet", "muted"));
  for (const table of body.tables) {
    const item = node("li");
    item.dataset.table = table.name;
    const name = node("button", table.name, "table-name");
    name.type = "button";
    name.addEventListener("click", () => {
      sqlInput.value = `SELECT * FROM "${table.name.replaceAll('"', '""')}" LIMIT 100`;
      sqlInput.focus();
    });
    item.append(name);
    if (table.kind === "view") item.append(node("span", " view", "muted"));
    const columns = node("ul");
    for (const column of table.columns) {
      const line = node("li", column.name);
      line.append(node("code", ` ${column.type || "any"}`));
      if (column.primaryKey) line.append(node("span", " PK", "flag"));
      if (column.notNull && !column.primaryKey) line.append(node("span", " NOT NULL", "flag"));
      columns.append(line);
    }
    item.append(columns);
    list.append(item);
  }
}

/** The backup API's path of a database: `app`, or `app/tenants/tenant`. */
function backupPath(database) {
  const [app, tenant] = database.split("/").map(encodeURIComponent);
  return tenant === undefined ? app : `${app}/tenants/${tenant}`;
}

/** Calls the backup API (api/backups, api/restores), as `api` calls the console's. */
function backups(path, init) {
  return api(`../${path}`, init);
}

/** Asks the person, in the shell's overlay when framed in it. */
function confirmed(message) {
  return window.frameSDK?.isInitialized
    ? window.frameSDK.ui.confirm(message)
    : Promise.resolve(confirm(message));
}

async function showBackups() {
  const list = el("backups");
  list.replaceChildren();
  const { response, body } = await backups(`backups/${backupPath(current)}`);
  if (!response.ok) {
    list.append(node("li", body.error?.message ?? `error ${response.status}`, "error"));
    return;
  }
  if (body.backups.length === 0) list.append(node("li", "none yet", "muted"));
  for (const backup of body.backups) {
    const item = node("li", `${backup.backup} (${backup.bytes} bytes) `);
    item.dataset.backup = backup.backup;
    const restore = node("button", "Restore");
    restore.type = "button";
    restore.addEventListener("click", async () => {
      if (
        !(await confirmed(`Put ${current} back as it was in ${backup.backup}? What changed since is lost.`))
      )
        return;
      status.textContent = "restoring…";
      const { response: answer, body: restored } = await backups(`restores/${backupPath(current)}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ backup: backup.backup }),
      });
      status.textContent = answer.ok
        ? `restored ${restored.restored}`
        : (restored.error?.message ?? `error ${answer.status}`);
      await showTables();
    });
    item.append(restore);
    list.append(item);
  }
}

async function backUp() {
  if (databaseInput.value.trim() !== current) await open(databaseInput.value);
  if (!current) return;
  status.textContent = "backing up…";
  const { response, body } = await backups(`backups/${backupPath(current)}`, { method: "POST" });
  status.textContent = response.ok
    ? `backed up to ${body.backup}`
    : (body.error?.message ?? `error ${response.status}`);
  await showBackups();
}

async function open(database) {
  current = database.trim();
  if (!current) return;
  sessionStorage.setItem("buntime:database-console-last", current);
  status.textContent = "";
  el("failure").hidden = true;
  showRows([], []);
  await Promise.all([showTables(), showBackups()]);
}

async function run() {
  // a database typed in but not opened yet is the one meant
  if (databaseInput.value.trim() !== current) await open(databaseInput.value);
  if (!current) return;
  el("failure").hidden = true;
  status.textContent = "running…";
  const { response, body } = await api("query", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ database: current, sql: sqlInput.value }),
  });
  if (response.status === 401 || response.status === 403) return refuse(body);
  if (!response.ok) {
    showRows([], []);
    status.textContent = body.ms === undefined ? "" : `failed · ${body.ms} ms`;
    return showFailure(body.error ?? { code: String(response.status), message: response.statusText });
  }
  showRows(body.columns, body.rows);
  const rows = `${body.rowCount} row${body.rowCount === 1 ? "" : "s"}`;
  const capped = body.truncated ? ` (the first ${limits.maxRows}; more were left unread)` : "";
  const changed = body.affected > 0 ? ` · ${body.affected} changed` : "";
  status.textContent = `${rows}${capped}${changed} · ${body.ms} ms`;
  if (body.columns.length === 0) await showTables(); // a write or a schema change
}

async function start() {
  const { response, body } = await api("databases");
  if (response.status === 401 || response.status === 403) return refuse(body);
  if (!response.ok) {
    el("access").hidden = false;
    el("access-message").textContent = body.error?.message ?? `the console's API answered ${response.status}`;
    el("token").hidden = true;
    return;
  }
  el("access").hidden = true;
  el("work").hidden = false;
  limits = body;
  el("limits").textContent =
    `${body.backend} · at most ${body.maxRows} rows and ${body.statementTimeout} ms per statement · ${body.who}`;
  const options = el("databases");
  options.replaceChildren(...body.databases.map((name) => Object.assign(node("option"), { value: name })));
  const last = sessionStorage.getItem("buntime:database-console-last");
  databaseInput.value = current || (last && body.databases.includes(last) ? last : (body.databases[0] ?? ""));
  if (databaseInput.value) await open(databaseInput.value);
}

pick.addEventListener("submit", (event) => {
  event.preventDefault();
  open(databaseInput.value);
});
el("backup").addEventListener("click", () => backUp());
runForm.addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});
sqlInput.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    run();
  }
});
el("token").addEventListener("submit", (event) => {
  event.preventDefault();
  adminToken = event.target.elements.token.value.trim();
  event.target.reset();
  start();
});
start();
window.frameSDK?.initialize().catch(() => {});
