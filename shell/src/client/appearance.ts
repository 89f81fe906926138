/**
 * The shell's appearance: theme (the system's unless the user picks), density and locale. Kept
 * in localStorage (the shell's `boot.js` reads it before paint), applied to the shell page, and
 * handed to frames as props and `--bt-*` variables.
 */
import { APPEARANCE_KEY } from "../frame/appearance.ts";

/** What frames get as props. */
export interface Appearance {
  readonly theme: "light" | "dark";
  readonly density: "comfortable" | "compact";
  readonly locale: string;
  readonly tokens: Record<string, string>;
}

const THEME_KEY = "buntime:theme";
const DENSITY_KEY = "buntime:density";
const TOKENS = [
  "--bt-bg",
  "--bt-surface",
  "--bt-fg",
  "--bt-muted",
  "--bt-border",
  "--bt-accent",
  "--bt-accent-fg",
  "--bt-danger",
  "--bt-good",
  "--bt-space",
  "--bt-radius",
  "--bt-font",
];
const systemDark = matchMedia("(prefers-color-scheme: dark)");

function stored(key: string, fallback: string): string {
  try {
    return localStorage.getItem(key) ?? fallback;
  } catch {
    return fallback;
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // storage disabled: the choice lasts this page
  }
}

/** Applies the stored choices to the shell page and returns what frames should get. */
export function currentAppearance(): Appearance {
  const choice = stored(THEME_KEY, "system");
  const theme = choice === "dark" || (choice === "system" && systemDark.matches) ? "dark" : "light";
  const density = stored(DENSITY_KEY, "comfortable") === "compact" ? "compact" : "comfortable";
  const root = document.documentElement;
  root.dataset.theme = theme;
  root.dataset.density = density;
  root.style.colorScheme = theme;
  const style = getComputedStyle(root);
  const tokens = Object.fromEntries(TOKENS.map((name) => [name, style.getPropertyValue(name).trim()]));
  const appearance: Appearance = { theme, density, locale: navigator.language || "en", tokens };
  store(APPEARANCE_KEY, JSON.stringify(appearance)); // same-origin frames paint with it at once
  return appearance;
}

/** Wires the sidebar's selects and the system theme; `onChange` gets each new appearance. */
export function watchAppearance(onChange: (appearance: Appearance) => void): void {
  const theme = document.getElementById("theme-choice") as HTMLSelectElement | null;
  const density = document.getElementById("density-choice") as HTMLSelectElement | null;
  if (theme) {
    theme.value = stored(THEME_KEY, "system");
    theme.addEventListener("change", () => {
      store(THEME_KEY, theme.value);
      onChange(currentAppearance());
    });
  }
  if (density) {
    density.value = stored(DENSITY_KEY, "comfortable");
    density.addEventListener("change", () => {
      store(DENSITY_KEY, density.value);
      onChange(currentAppearance());
    });
  }
  systemDark.addEventListener("change", () => onChange(currentAppearance()));
}
