// The policies page: lists api/policies, saves the JSON in the form (PUT, the server validates
// and names a bad field), deletes, and explains a request. Text goes in with textContent only:
// policy fields are admin-written but still never parsed as HTML.
const rows = document.getElementById("policies");
const status = document.getElementById("status");
const edit = document.getElementById("edit");
const explain = document.getElementById("explain");
const decision = document.getElementById("decision");

/** The JSON of a response, or throws the API's coded message. */
async function call(path, init) {
  const response = await fetch(path, init);
  if (response.status === 204) return undefined;
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error?.message ?? `${response.status}`);
  return body;
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

async function load() {
  try {
    const { policies } = await call("api/policies");
    rows.replaceChildren(
      ...policies.map((policy) => {
        const { id, effect, ...rule } = policy;
        const tr = document.createElement("tr");
        const actions = document.createElement("td");
        const editButton = document.createElement("button");
        editButton.textContent = "Edit";
        editButton.onclick = () => {
          edit.elements.policy.value = JSON.stringify(policy, null, 2);
        };
        const remove = document.createElement("button");
        remove.textContent = "Delete";
        remove.onclick = () =>
          act(call(`api/policies/${encodeURIComponent(id)}`, { method: "DELETE" }), `${id} deleted`);
        actions.append(editButton, remove);
        tr.append(cell(id), cell(effect, effect), cell(JSON.stringify(rule)), actions);
        return tr;
      }),
    );
    status.textContent = `${policies.length} policies; with none matching, a request is denied`;
  } catch (error) {
    status.textContent = `cannot list policies: ${error.message}`;
  }
}

async function act(promise, done) {
  try {
    await promise;
    status.textContent = done;
    await load();
  } catch (error) {
    status.textContent = error.message;
  }
}

edit.onsubmit = (event) => {
  event.preventDefault();
  let policy;
  try {
    policy = JSON.parse(edit.elements.policy.value);
  } catch {
    status.textContent = "the policy is not valid JSON";
    return;
  }
  const init = {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(policy),
  };
  act(call(`api/policies/${encodeURIComponent(String(policy.id ?? ""))}`, init), `${policy.id} saved`);
};

explain.onsubmit = async (event) => {
  event.preventDefault();
  const query = new URLSearchParams(new FormData(explain));
  try {
    decision.textContent = JSON.stringify(await call(`api/explain?${query}`), null, 2);
  } catch (error) {
    decision.textContent = error.message;
  }
};

load();
