/**
 * Theme, locale and density on a document: `data-theme`, `data-density`, `lang`,
 * `color-scheme` and the shell's CSS variables (`--bt-*`). Same-origin frames also read the
 * shell's last choice from localStorage before their first paint, so nothing flashes.
 */

/** The localStorage key the shell writes and frames read. */
export const APPEARANCE_KEY = "buntime:appearance";

/** What travels as props and is stored for the first paint. */
export interface Appearance {
  readonly theme?: unknown;
  readonly locale?: unknown;
  readonly density?: unknown;
  /** CSS custom properties (`--bt-*`) of the current theme. */
  readonly tokens?: unknown;
}

const CSS_VAR = /^--bt-[a-z0-9-]{1,64}$/;
const CSS_VALUE = /^[^;{}<>]{0,200}$/;

/** Applies the known fields of `appearance` to `root`, ignoring values of the wrong shape. */
export function applyAppearance(root: HTMLElement, appearance: Appearance): void {
  const { theme, locale, density, tokens } = appearance;
  if (theme === "light" || theme === "dark") {
    root.dataset.theme = theme;
    root.style.colorScheme = theme;
  }
  if (density === "comfortable" || density === "compact") root.dataset.density = density;
  if (typeof locale === "string" && /^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$/.test(locale)) root.lang = locale;
  if (typeof tokens === "object" && tokens !== null) {
    for (const [name, value] of Object.entries(tokens)) {
      if (CSS_VAR.test(name) && typeof value === "string" && CSS_VALUE.test(value))
        root.style.setProperty(name, value);
    }
  }
}

/** Applies the appearance the shell stored, when there is one (same origin only). */
export function applyStoredAppearance(root: HTMLElement): void {
  try {
    const stored = localStorage.getItem(APPEARANCE_KEY);
    if (stored) applyAppearance(root, JSON.parse(stored) as Appearance);
  } catch {
    // storage disabled or a value someone else wrote: the frame paints with its own defaults
  }
}
