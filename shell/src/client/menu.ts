/**
 * The sidebar: the menu entries the server put in the page, re-rendered from the live feed
 * (`/shell/api/events`) when plugins come and go, with the current one marked.
 */

/** One sidebar link, as the server sends it. */
export interface MenuEntry {
  readonly label: string;
  readonly path: string;
  /** `shell` for the shell's own pages, which it draws itself. */
  readonly kind: "plugin" | "app" | "shell";
  readonly owner: string;
}

/** The first path segment, which the shell routes by. */
export function segmentOf(path: string): string {
  return path.split("/")[1] ?? "";
}

/** Marks the link of the page at `pathname` as current: the shell's own by path, the others by first segment. */
export function markCurrent(pathname: string): void {
  const segment = segmentOf(pathname);
  for (const link of document.querySelectorAll<HTMLAnchorElement>("#menu a")) {
    const own = link.dataset.kind === "shell";
    const at = new URL(link.href).pathname;
    if (own ? at === pathname : segment !== "" && segment !== "shell" && segmentOf(at) === segment)
      link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

/** Replaces the links of the sidebar. */
export function renderMenu(entries: readonly MenuEntry[], pathname: string): void {
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
  markCurrent(pathname);
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
