/**
 * Building elements for the shell's own pages. Every string a child is becomes a text node, so
 * data from a server (node names, failure reasons, an API's descriptions) is never read as HTML.
 */

/** A child: an element, or a string shown as text. */
export type Child = Node | string | undefined | false;

/** `<tag class=…>` with its attributes and children (strings as text). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) {
    if (child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

/** "12 s ago", "3 min ago", "2 h ago", from `iso` to `now` (ms). */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(seconds)) return "never";
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}
