// A plain HTML+JS app: no build step. It renders its routes in place (the shell owns history),
// navigates through frameSDK, asks the shell to confirm (a function call across the frame), and
// lets the host call `count()`.
const sdk = window.frameSDK;
const notes = ["Try Back and Forward", "Switch the theme"];
const view = document.getElementById("view");

function list() {
  view.replaceChildren();
  const heading = document.createElement("h1");
  heading.textContent = `Notes (${notes.length})`;
  const items = document.createElement("ul");
  for (const note of notes) {
    const item = document.createElement("li");
    item.textContent = note;
    items.append(item);
  }
  const form = document.createElement("form");
  form.innerHTML =
    '<input name="note" placeholder="A note" required /><button>Add</button><button type="button" id="clear">Clear all</button>';
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    notes.push(form.note.value);
    sdk.ui.toast("Note added", { kind: "success" });
    list();
  });
  form.querySelector("#clear").addEventListener("click", async () => {
    if (await sdk.ui.confirm(`Clear ${notes.length} notes?`)) {
      notes.length = 0;
      list();
    }
  });
  view.append(heading, items, form);
}

function about() {
  view.innerHTML = "<h1>About</h1><p>Plain HTML and JavaScript, served from <code>public/</code>.</p>";
}

function render(path) {
  if (path.startsWith("/about")) about();
  else list();
}

sdk.onRoute(render);
render(location.pathname.replace(/^\/notes-plain/, "") || "/");
for (const link of document.querySelectorAll("a[data-to]")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    sdk.navigate(link.dataset.to);
  });
}
sdk.register("count", () => notes.length);
sdk.initialize().catch(() => {
  // opened on its own: it still works, with browser dialogs and its own history
});
