// The deployments page: lists deployed apps and their versions (who deployed each, when), and
// deploys, activates, rolls back and deletes through the plugin's API (admin only).
const api = new URL("api/apps", location.href);
const status = document.getElementById("status");
const appsView = document.getElementById("apps");
const form = document.getElementById("upload");

function say(text, error = false) {
  status.textContent = text;
  status.className = error ? "error" : "";
}

/** Signed out: in the shell, the shell takes the window to sign-in and back; alone, a link to where the 401 says does. */
function askSignIn(signIn) {
  window.frameSDK?.emit("sign-in");
  const link = document.createElement("a");
  link.href = `${signIn}?next=${encodeURIComponent(location.pathname + location.search)}`;
  link.target = "_top";
  link.textContent = "Sign in";
  say("");
  status.replaceChildren(link, " to manage deployments (they need an admin).");
}

/** Shows why an action failed, or the way to sign in when it failed for want of it. */
function fail(error) {
  if (error.signIn) askSignIn(error.signIn);
  else say(error.message, true);
}

async function call(method, path, init = {}) {
  const url = path === "" || path.startsWith("?") ? `${api.href}${path}` : `${api.href}/${path}`;
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    ...init,
  });
  if (response.status === 204) return undefined;
  const body = await response.json().catch(() => ({}));
  if (!response.ok)
    throw Object.assign(new Error(body.error?.message ?? `${response.status} ${response.statusText}`), {
      signIn: response.status === 401 ? (body.signIn ?? "/auth/login") : undefined,
    });
  return body;
}

function button(label, action) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = label;
  element.addEventListener("click", async () => {
    try {
      say(await action());
      await refresh();
    } catch (error) {
      fail(error);
    }
  });
  return element;
}

function cell(row, text) {
  const td = row.insertCell();
  td.textContent = text;
  return td;
}

function render(apps) {
  appsView.replaceChildren();
  if (apps.length === 0) appsView.textContent = "No apps deployed yet.";
  for (const app of apps) {
    const section = document.createElement("section");
    section.dataset.app = app.name;
    const title = document.createElement("h2");
    title.textContent = `${app.name} ${app.active ? `(active ${app.active})` : ""}`;
    title.append(
      button(
        "Roll back",
        async () => `${app.name} is back on ${(await call("POST", `${app.name}/rollback`)).active}`,
      ),
      button("Remove app", async () => {
        if (!confirm(`Remove ${app.name} and every version?`)) return "kept";
        await call("DELETE", app.name);
        return `removed ${app.name}`;
      }),
    );
    const table = document.createElement("table");
    table.createTHead().innerHTML = "<tr><th>version</th><th>deployed by</th><th>when</th><th></th></tr>";
    const body = table.createTBody();
    for (const version of app.versions) {
      const row = body.insertRow();
      row.dataset.version = version.version;
      if (version.active) row.className = "active";
      cell(row, version.version);
      cell(row, version.deployedBy ?? "?");
      cell(row, version.deployedAt ? new Date(version.deployedAt).toLocaleString() : "");
      const actions = row.insertCell();
      if (!version.active) {
        actions.append(
          button("Activate", async () => {
            await call("POST", `${app.name}/activate`, {
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ version: version.version }),
            });
            return `${app.name}@${version.version} is active`;
          }),
          button("Delete", async () => {
            await call("DELETE", `${app.name}/versions/${version.version}`);
            return `deleted ${app.name}@${version.version}`;
          }),
        );
      }
    }
    section.append(title, table);
    appsView.append(section);
  }
}

async function refresh() {
  const { apps } = await call("GET", "");
  render(apps);
  if (status.textContent === "loading…") say(`${apps.length} app(s)`);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const tarball = form.tarball.files[0];
  const folder = [...form.folder.files];
  const query = new URLSearchParams({ activate: String(form.activate.checked), env: form.env.value || "{}" });
  let init;
  if (tarball) init = { body: tarball, headers: { "content-type": "application/gzip" } };
  else if (folder.length > 0) {
    const data = new FormData();
    for (const file of folder) data.append("files", file, file.webkitRelativePath || file.name);
    init = { body: data };
  } else return say("choose a tarball or a folder first", true);
  try {
    say("deploying…");
    const deployed = await call("POST", `?${query}`, init);
    say(`deployed ${deployed.name}@${deployed.version}${deployed.active ? " (active)" : ""}`);
    form.reset();
    await refresh();
  } catch (error) {
    fail(error);
  }
});

refresh().catch(fail);
