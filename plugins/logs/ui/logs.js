// The logs page: queries api/logs with the form's filters, then follows api/tail live.
(() => {
  const MAX_ROWS = 2000;
  const form = document.getElementById("filters");
  const lines = document.getElementById("lines");
  const status = document.getElementById("status");
  let source;
  let shown = 0;

  function filters() {
    const params = new URLSearchParams();
    const data = new FormData(form);
    for (const name of ["level", "plugin", "namespace", "app", "q"]) {
      const value = String(data.get(name) || "").trim();
      if (value) params.set(name, value);
    }
    const since = String(data.get("since") || "");
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
    if (!form.elements.live.checked) return;
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

  async function search() {
    const params = filters();
    const query = new URLSearchParams(params);
    query.set("limit", "500");
    const response = await fetch(`api/logs?${query}`);
    const body = await response.json();
    lines.replaceChildren();
    shown = 0;
    if (!response.ok) {
      status.textContent = body.error ? body.error.message : `error ${response.status}`;
      return;
    }
    for (const entry of body.entries) addLine(entry);
    status.textContent = `${shown} lines${body.truncated ? " (older ones left out)" : ""}`;
    follow(params, body.recorded);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  form.elements.live.addEventListener("change", () => search());
  search();
})();
