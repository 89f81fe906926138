/**
 * What the shell shows: the plugins the kernel runs (from `kernel:plugins`), the apps that ship
 * an `index.html` (through the router's `apps` service), and the menu built from both.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { type AppsService, type KernelPlugins, loadAppConfig, type PluginStatus } from "@buntime/sdk";

/** One link of the sidebar. */
export interface MenuEntry {
  readonly label: string;
  /** Where it opens, e.g. `/logs/`. */
  readonly path: string;
  readonly icon?: string;
  /** The plugin or app it belongs to. */
  readonly owner: string;
  /** `shell` for the shell's own pages, which it draws itself instead of framing. */
  readonly kind: "plugin" | "app" | "shell";
}

/** An app with pages. */
export interface AppEntry {
  readonly name: string;
  readonly path: string;
}

/** Everything the page and the home need. */
export interface Catalog {
  readonly plugins: readonly PluginStatus[];
  readonly apps: readonly AppEntry[];
  readonly menu: readonly MenuEntry[];
}

/**
 * A menu path the shell links to: a path on this site with a plain first segment (so never
 * `//host` or `/\\host`, which a browser reads as another site).
 */
const MENU_PATH = /^\/[A-Za-z0-9._~-]+(\/[^\s\\]*)?$/;

/** App folder names the router can address; anything else in the apps folder is skipped. */
const APP_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** The most apps one page lists: the apps folder is read on each page load. */
const MAX_APPS = 200;
const DEFAULT_PUBLIC_DIR = "public";

/** The first segment of a menu path (`/logs/x` → `logs`), which the shell routes by. */
export function segmentOf(path: string): string {
  return path.split("/")[1] ?? "";
}

async function hasIndex(folder: string, name: string): Promise<boolean> {
  try {
    const publicDir = (await loadAppConfig(folder, name)).publicDir ?? DEFAULT_PUBLIC_DIR;
    return await Bun.file(join(folder, publicDir, "index.html")).exists();
  } catch {
    return false; // an app whose settings do not load is the router's to report, not the menu's
  }
}

async function listApps(appsDir: string, apps: AppsService): Promise<AppEntry[]> {
  let names: string[];
  try {
    names = (await readdir(appsDir, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() && APP_NAME.test(entry.name))
      .map((entry) => entry.name)
      .sort()
      .slice(0, MAX_APPS);
  } catch {
    return [];
  }
  const found = await Promise.all(
    names.map(async (name) => {
      const [newest] = await apps.folders(name);
      return newest && (await hasIndex(newest, name)) ? { name, path: `/${name}/` } : undefined;
    }),
  );
  return found.filter((app): app is AppEntry => app !== undefined);
}

/** Reads the catalog now; `own` are the shell's own pages, listed after the plugins' and apps'. */
export async function readCatalog(
  plugins: KernelPlugins,
  apps: AppsService | undefined,
  appsDir: string,
  own: readonly MenuEntry[] = [],
): Promise<Catalog> {
  const list = plugins.list();
  const appList = apps ? await listApps(appsDir, apps) : [];
  const menu: MenuEntry[] = [];
  for (const plugin of list) {
    if (plugin.status !== "running") continue;
    for (const item of plugin.ui?.menu ?? []) {
      if (MENU_PATH.test(item.path)) menu.push({ ...item, owner: plugin.name, kind: "plugin" });
    }
  }
  const taken = new Set(menu.map((entry) => segmentOf(entry.path)));
  for (const app of appList) {
    if (!taken.has(app.name)) menu.push({ label: app.name, path: app.path, owner: app.name, kind: "app" });
  }
  menu.push(...own);
  return { plugins: list, apps: appList, menu };
}
