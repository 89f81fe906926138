/**
 * The sidebar: the menu entries the server put in the page, re-rendered from the live feed
 * (`/shell/api/events`) when plugins come and go, with the current one marked.
 */

/** One sidebar link, as the server sends it. */
export interface MenuEntry {
  readonly label: string;
  readonly path: string;
  readonly kind: "plugin" | "app";
  readonly owner: string;
}

/** The first path segment, which the shell routes by. */
export function segmentOf(path: string): string {
  return path.split("/")[1] ?? "";
}

/** Marks the link of `segment` as the current page. */
export function markCurrent(segment: string): void {
  for (const link of document.querySelectorAll<HTMLAnchorElement>("#menu a")) {
    if (segment !== "" && segmentOf(new URL(link.href).pathname) === segment)
      link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

/** Replaces the links of the sidebar. */
export function renderMenu(entries: readonly MenuEntry[], current: string): void {
  const nav = document.getElementById("menu");
  if (!nav) return;
  nav.replaceChildren(
    ...entries.map((entry) => {
      const link = document.createElement("a");
      link.href = entry.path;
      link.textContent = entry.label;
      link.dataset.shellLink = "";
      link.dataset.kind = entry.kind;
      return link;
    }),
  );
  markCurrent(current);
}

/** Calls `onMenu` with each menu the server sends; the browser reconnects a dropped feed itself. */
export function followMenu(onMenu: (entries: MenuEntry[]) => void): EventSource {
  const feed = new EventSource("/shell/api/events");
  feed.addEventListener("menu", (event) => {
    try {
      onMenu(JSON.parse((event as MessageEvent<string>).data) as MenuEntry[]);
    } catch (error) {
      console.warn("[shell] ignored a menu it could not read", error);
    }
  });
  return feed;
}
