// The marketplace's page script: a plan before every action, then live progress over SSE.
// Everything shown is built with textContent: plugin names, permissions and errors are data.
const base = document.body.dataset.base;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === undefined || value === null) continue;
    node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

async function answer(response) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = body.error ?? {};
    // signed out (the session ended): in the shell, the shell takes the window to sign-in and back
    if (response.status === 401) window.frameSDK?.emit("sign-in");
    throw Object.assign(new Error(error.message ?? `${response.status} ${response.statusText}`), {
      hint: error.hint,
      signIn: response.status === 401 ? (body.signIn ?? "/auth/login") : undefined,
    });
  }
  return body;
}

function showError(section, error) {
  section.append(
    el("p", { class: "error", role: "alert" }, error.message),
    error.hint ? el("p", { class: "hint" }, `hint: ${error.hint}`) : null,
    error.signIn
      ? el(
          "p",
          {},
          el(
            "a",
            {
              href: `${error.signIn}?next=${encodeURIComponent(location.pathname + location.search)}`,
              target: "_top",
            },
            "Sign in",
          ),
          " and try again.",
        )
      : null,
  );
}

const CHANGE_WORDS = { add: "Install", upgrade: "Upgrade", downgrade: "Roll back", remove: "Remove" };

function signaturesOf(step) {
  if (step.change === "remove") return "-";
  if (step.change === "downgrade") return "verified at its install";
  const parts = [];
  if (step.signatures.registry) parts.push("registry signature");
  if (step.signatures.publisher) parts.push(`publisher signature of ${step.signatures.publisher}`);
  return parts.length ? parts.join(", ") : "none (unsigned)";
}

function renderPlan(section, plan) {
  section.replaceChildren();
  section.hidden = false;
  const heading =
    plan.steps.length === 0 ? "Nothing to do: already installed." : `Plan: ${plan.action} ${plan.name}`;
  section.append(el("h2", {}, heading));
  if (plan.skipped?.length > 0)
    section.append(
      el("p", {}, "Left as they are:"),
      el(
        "ul",
        { class: "skipped" },
        plan.skipped.map((s) => el("li", {}, `${s.name}: ${s.reason}`)),
      ),
    );
  if (plan.steps.length === 0) return;
  section.append(
    el("p", {}, `Kernel ${plan.kernel}${plan.policy ? `; signature policy: ${plan.policy}` : ""}.`),
    el(
      "table",
      { class: "plan-steps" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ["change", "plugin", "wanted by", "kernel", "signatures to verify", "permissions"].map((h) =>
            el("th", {}, h),
          ),
        ),
      ),
      el(
        "tbody",
        {},
        plan.steps.map((step) =>
          el(
            "tr",
            { "data-name": step.name },
            el("td", {}, CHANGE_WORDS[step.change] ?? step.change),
            el("td", {}, `${step.name}@${step.version}${step.replaces ? ` (now ${step.replaces})` : ""}`),
            el("td", {}, step.wantedBy),
            el("td", {}, step.kernel ?? "-"),
            el("td", {}, signaturesOf(step)),
            el(
              "td",
              {},
              step.permissions.length === 0 ? "none" : "",
              el(
                "ul",
                {},
                step.permissions.map((line) =>
                  el(
                    "li",
                    { class: step.widened.includes(line) ? "widened" : "" },
                    step.widened.includes(line) ? `NEW: ${line}` : line,
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
  if (plan.dependents.length > 0)
    section.append(
      el("p", { class: "error" }, `Needed by ${plan.dependents.join(", ")}: the removal will be refused.`),
    );
  const consent = plan.needsConsent ? el("input", { type: "checkbox", id: "consent" }) : null;
  const confirm = el(
    "button",
    { type: "button", class: "primary", id: "confirm", disabled: plan.needsConsent },
    "Confirm",
  );
  const cancel = el("button", { type: "button", id: "cancel" }, "Cancel");
  if (consent) {
    section.append(
      el(
        "p",
        { class: "widened" },
        el(
          "label",
          {},
          consent,
          " This upgrade asks for more than the installed version: I accept the permissions marked NEW.",
        ),
      ),
    );
    consent.addEventListener("change", () => {
      confirm.disabled = !consent.checked;
    });
  }
  section.append(el("div", { class: "actions" }, confirm, cancel));
  cancel.addEventListener("click", () => {
    section.hidden = true;
    section.replaceChildren();
  });
  confirm.addEventListener("click", () => apply(section, plan, consent?.checked === true, [confirm, cancel]));
}

async function apply(section, plan, accept, buttons) {
  for (const button of buttons) button.disabled = true;
  const top = plan.steps.find((s) => s.name === plan.name);
  const body = { action: plan.action, name: plan.name, acceptPermissions: accept };
  if ((plan.action === "install" || plan.action === "upgrade") && top) body.version = top.version;
  const progress = el("section", { class: "progress", id: "progress" }, el("h3", {}, "Progress"));
  section.append(progress);
  let started;
  try {
    started = await answer(
      await fetch(`${base}/api/apply`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    );
  } catch (error) {
    showError(progress, error);
    return;
  }
  if (!started.job) {
    progress.append(el("p", {}, started.message));
    return;
  }
  follow(progress, started.events);
}

function follow(progress, url) {
  const steps = el("ol", { class: "steps" });
  const log = el("pre", { class: "log" });
  progress.append(steps, log);
  const items = new Map();
  const source = new EventSource(url);
  source.addEventListener("job", (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "steps") {
      for (const name of event.steps) {
        const item = el("li", { "data-step": name }, name);
        items.set(name, item);
        steps.append(item);
      }
    } else if (event.type === "step") {
      const item = items.get(event.step);
      if (item) item.className = event.state;
      if (item && event.detail) item.title = event.detail;
    } else if (event.type === "line") {
      log.append(`${event.text}\n`);
    } else if (event.type === "done") {
      source.close();
      progress.append(el("p", { class: "good", id: "outcome" }, "Done. ", event.summary));
      progress.append(el("p", {}, el("a", { href: location.pathname }, "Reload this page")));
    } else if (event.type === "failed") {
      source.close();
      progress.append(el("p", { class: "error", id: "outcome", role: "alert" }, event.message));
      if (event.hint) progress.append(el("p", { class: "hint" }, `hint: ${event.hint}`));
      progress.append(el("p", {}, "Nothing was changed: what ran before keeps serving."));
    }
  });
}

document.addEventListener("click", async (event) => {
  const pin = event.target instanceof Element ? event.target.closest("button.pin") : null;
  if (pin) {
    const body = JSON.stringify({ name: pin.dataset.name, pinned: pin.dataset.pinned !== "1" });
    try {
      await answer(
        await fetch(`${base}/api/pin`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        }),
      );
      location.reload();
    } catch (error) {
      pin.after(el("span", { class: "error" }, ` ${error.message}`));
    }
    return;
  }
  const button = event.target instanceof Element ? event.target.closest("button.action") : null;
  if (!button) return;
  const section = document.getElementById("plan");
  section.hidden = false;
  section.replaceChildren(el("p", {}, "Planning…"));
  section.scrollIntoView({ block: "nearest" });
  const query = new URLSearchParams({ action: button.dataset.action, name: button.dataset.name });
  try {
    renderPlan(section, await answer(await fetch(`${base}/api/plan?${query}`)));
  } catch (error) {
    section.replaceChildren(el("h2", {}, `Cannot ${button.dataset.action} ${button.dataset.name}`));
    showError(section, error);
  }
});

// inside the shell: the handshake (links to our base then navigate in the shell); standalone: nothing
window.frameSDK?.initialize().catch(() => {});
