/**
 * What the shell draws above every frame: toasts, confirmations (`frameSDK.ui`), and the tiles
 * that stand in for a frame that failed (not responding, sign-in needed, access denied…).
 */

const TOAST_MS = 4000;
const MAX_TOASTS = 5;

/** Shows a short message in the corner. */
export function toast(message: unknown, options?: unknown): void {
  const layer = document.getElementById("overlays");
  if (!layer) return;
  const kind = (options as { kind?: unknown } | undefined)?.kind;
  const item = document.createElement("div");
  item.className = `toast ${kind === "error" || kind === "success" ? kind : "info"}`;
  item.setAttribute("role", "status");
  item.textContent = String(message).slice(0, 500);
  layer.append(item);
  while (layer.children.length > MAX_TOASTS) layer.firstElementChild?.remove();
  setTimeout(() => item.remove(), TOAST_MS);
}

/** Asks the user; resolves true for OK. */
export function confirm(message: unknown): Promise<boolean> {
  const dialog = document.createElement("dialog");
  dialog.className = "confirm";
  const text = document.createElement("p");
  text.textContent = String(message).slice(0, 1000);
  const ok = document.createElement("button");
  ok.textContent = "OK";
  ok.value = "ok";
  const cancel = document.createElement("button");
  cancel.textContent = "Cancel";
  cancel.value = "cancel";
  const form = document.createElement("form");
  form.method = "dialog";
  form.append(text, ok, " ", cancel);
  dialog.append(form);
  document.body.append(dialog);
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok");
      dialog.remove();
    });
  });
}

/** A tile over the main area: a title, a line, and an optional action (a button or a link). */
export function showTile(
  host: HTMLElement,
  title: string,
  text: string,
  action?: { label: string; run: (() => void) | string },
): HTMLElement {
  host.querySelector(".tile")?.remove();
  const tile = document.createElement("div");
  tile.className = "tile";
  tile.setAttribute("role", "alert");
  const heading = document.createElement("h2");
  heading.textContent = title;
  const line = document.createElement("p");
  line.textContent = text;
  tile.append(heading, line);
  if (action && typeof action.run === "string") {
    const link = document.createElement("a");
    link.href = action.run;
    link.textContent = action.label;
    tile.append(link);
  } else if (action) {
    const button = document.createElement("button");
    button.textContent = action.label;
    button.addEventListener("click", action.run as () => void);
    tile.append(button);
  }
  host.append(tile);
  return tile;
}
