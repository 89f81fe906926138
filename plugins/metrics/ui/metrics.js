// The metrics page: polls api/snapshot, keeps a short history and draws it with drawLineChart;
// on a cluster it also polls api/cluster and lists every node's rates (from two polls' counters).
// The Prometheus link opens a tab of its own: it is no page of this frame, so it adds no entry to
// the shell's history.
(() => {
  // `?every=500` polls faster (at most every 250 ms); the default is 2 s.
  const POLL_MS = Math.max(250, Number(new URLSearchParams(location.search).get("every")) || 2000);
  const HISTORY = 150;
  const COLORS = ["#1e88e5", "#e53935", "#43a047", "#fb8c00", "#8e24aa", "#00897b"];
  const history = [];
  const status = document.getElementById("status");

  /** Estimates quantile `q` (0..1) from per-bucket counts, interpolating inside the bucket. */
  function quantile(bounds, buckets, q) {
    const total = buckets.reduce((sum, count) => sum + count, 0);
    if (total === 0) return undefined;
    const target = q * total;
    let seen = 0;
    for (let index = 0; index < buckets.length; index++) {
      const count = buckets[index];
      if (seen + count >= target && count > 0) {
        if (index >= bounds.length) return bounds[bounds.length - 1];
        const lower = index === 0 ? 0 : bounds[index - 1];
        return lower + (bounds[index] - lower) * ((target - seen) / count);
      }
      seen += count;
    }
    return bounds[bounds.length - 1];
  }

  const total = (route) => Object.values(route.statuses).reduce((sum, count) => sum + count, 0);
  const serverErrors = (route) =>
    Object.entries(route.statuses).reduce((sum, [code, count]) => sum + (Number(code) >= 500 ? count : 0), 0);
  const key = (route) => `${route.method} ${route.route}`;

  function summed(snapshot) {
    const buckets = new Array(snapshot.bounds.length + 1).fill(0);
    let requests = 0;
    for (const route of snapshot.routes) {
      requests += total(route);
      route.buckets.forEach((count, index) => {
        buckets[index] += count;
      });
    }
    return { requests, buckets };
  }

  function row(tbody, cells, classes = []) {
    const tr = document.createElement("tr");
    cells.forEach((text, index) => {
      const td = document.createElement("td");
      td.textContent = text;
      if (classes[index]) td.className = classes[index];
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
  }

  const ms = (seconds) => (seconds === undefined ? "–" : (seconds * 1000).toFixed(1));

  function renderTables(snapshot, previous) {
    const routes = document.querySelector("#routes tbody");
    routes.replaceChildren();
    const before = new Map((previous?.routes ?? []).map((route) => [key(route), route]));
    const span = previous ? (snapshot.time - previous.time) / 1000 : 0;
    for (const route of [...snapshot.routes].sort((a, b) => total(b) - total(a))) {
      const old = before.get(key(route));
      const rate = span > 0 ? (total(route) - (old ? total(old) : 0)) / span : 0;
      row(routes, [
        route.route,
        route.method,
        String(total(route)),
        rate.toFixed(2),
        String(serverErrors(route)),
        ms(quantile(snapshot.bounds, route.buckets, 0.5)),
        ms(quantile(snapshot.bounds, route.buckets, 0.95)),
      ]);
    }
    const apps = document.querySelector("#apps tbody");
    apps.replaceChildren();
    if (Object.keys(snapshot.pool.apps).length === 0) row(apps, ["(no app has run yet)"]);
    for (const [name, app] of Object.entries(snapshot.pool.apps)) {
      row(apps, [
        name,
        app.mode,
        app.isolation,
        String(app.workers),
        String(app.requests),
        String(app.errors),
        String(app.active),
        String(app.queued),
        app.latency.p95.toFixed(1),
        (app.memory / 1048576).toFixed(1),
      ]);
    }
    const plugins = document.querySelector("#plugins tbody");
    plugins.replaceChildren();
    if (!snapshot.plugins) row(plugins, ["(the kernel's plugin list is not available)", "", ""]);
    for (const plugin of snapshot.plugins ?? []) {
      row(
        plugins,
        [plugin.name, plugin.version, plugin.status],
        ["", "", plugin.status === "failed" ? "failed" : ""],
      );
    }
  }

  function renderCharts() {
    const rate = [];
    const p50 = [];
    const p95 = [];
    const workers = [];
    const inFlight = [];
    for (let index = 1; index < history.length; index++) {
      const now = history[index];
      const then = history[index - 1];
      const seconds = (now.time - then.time) / 1000;
      const a = summed(now);
      const b = summed(then);
      if (seconds > 0) rate.push([now.time, Math.max(0, (a.requests - b.requests) / seconds)]);
      const delta = a.buckets.map((count, bucket) => Math.max(0, count - b.buckets[bucket]));
      const q50 = quantile(now.bounds, delta, 0.5);
      const q95 = quantile(now.bounds, delta, 0.95);
      if (q50 !== undefined) p50.push([now.time, q50 * 1000]);
      if (q95 !== undefined) p95.push([now.time, q95 * 1000]);
    }
    for (const snapshot of history) {
      workers.push([snapshot.time, snapshot.pool.workers]);
      inFlight.push([snapshot.time, snapshot.inFlight]);
    }
    window.drawLineChart(document.getElementById("chart-rate"), [
      { name: "all routes", color: COLORS[0], points: rate },
    ]);
    window.drawLineChart(document.getElementById("chart-latency"), [
      { name: "p50", color: COLORS[2], points: p50 },
      { name: "p95", color: COLORS[1], points: p95 },
    ]);
    window.drawLineChart(document.getElementById("chart-pool"), [
      { name: "workers", color: COLORS[4], points: workers },
      { name: "in flight", color: COLORS[3], points: inFlight },
    ]);
  }

  /** Signed out: in the shell, the shell takes the window to sign-in and back; alone, a link to where the 401 says does. */
  function askSignIn(body) {
    window.frameSDK?.emit("sign-in");
    const link = document.createElement("a");
    link.href = `${body?.signIn ?? "/auth/login"}?next=${encodeURIComponent(location.pathname + location.search)}`;
    link.target = "_top";
    link.textContent = "Sign in";
    status.replaceChildren(link, " to see the metrics (they need an admin).");
  }

  let previousNodes = new Map();

  /** The Nodes table: each node's rates since the last poll; hidden on a single kernel. */
  function renderNodes(summary) {
    const section = document.getElementById("cluster");
    section.hidden = summary.nodes.length < 2 && !summary.error;
    const tbody = document.querySelector("#nodes tbody");
    tbody.replaceChildren();
    const current = new Map();
    for (const node of summary.nodes) {
      if (node.status !== "ok") {
        row(tbody, [node.node, `missing: ${node.reason}`], ["", "failed"]);
        continue;
      }
      current.set(node.node, node);
      const then = previousNodes.get(node.node);
      const seconds = then ? (node.time - then.time) / 1000 : 0;
      const per = (now, before) => (seconds > 0 ? Math.max(0, (now - before) / seconds).toFixed(2) : "–");
      const delta = then
        ? node.buckets.map((count, index) => Math.max(0, count - (then.buckets[index] ?? 0)))
        : [];
      row(tbody, [
        node.node,
        String(node.requests),
        then ? per(node.requests, then.requests) : "–",
        then ? per(node.errors, then.errors) : "–",
        ms(then ? quantile(node.bounds, delta, 0.5) : undefined),
        ms(then ? quantile(node.bounds, delta, 0.95) : undefined),
        String(node.inFlight),
      ]);
    }
    if (summary.error) row(tbody, [summary.error], ["failed"]);
    previousNodes = current;
  }

  async function pollCluster() {
    const response = await fetch("api/cluster", { cache: "no-store" });
    if (response.ok) renderNodes(await response.json());
  }

  async function poll() {
    pollCluster().catch(() => {});
    try {
      const response = await fetch("api/snapshot", { cache: "no-store" });
      // no more polling until signed in
      if (response.status === 401) return askSignIn(await response.json().catch(() => undefined));
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error(body.error?.message ?? `the metrics API answered ${response.status}`);
      }
      const snapshot = await response.json();
      const previous = history.at(-1);
      history.push(snapshot);
      if (history.length > HISTORY) history.shift();
      renderTables(snapshot, previous);
      renderCharts();
      status.textContent = `kernel ${snapshot.kernel} · updated ${new Date(snapshot.time).toLocaleTimeString()}`;
    } catch (error) {
      status.textContent = `cannot read metrics: ${error.message}`;
    }
    setTimeout(poll, POLL_MS);
  }

  poll();
  // inside the shell: answer its INIT, so it applies its theme here and watches the page; alone,
  // or with no shell installed (no frameSDK), the page runs as it is
  window.frameSDK?.initialize().catch(() => {});
})();
