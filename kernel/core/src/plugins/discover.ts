import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { installedPluginDir, readLockfile } from "./lockfile.ts";
import { isPluginFolder } from "./read-plugin-folder.ts";

/** Lists the plugin folders in a plain directory, including `@scope/name` folders; a plugin folder is itself. */
async function pluginFoldersIn(dir: string): Promise<string[]> {
  if (await isPluginFolder(dir)) return [dir];
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.name.startsWith("@")) found.push(...(await pluginFoldersIn(path)));
    else if (await isPluginFolder(path)) found.push(path);
  }
  return found;
}

async function packageName(dir: string): Promise<unknown> {
  try {
    return (await Bun.file(join(dir, "package.json")).json()).name;
  } catch {
    return undefined; // unreadable: let readPluginFolder report it
  }
}

/**
 * Every plugin folder the kernel should load: the versions pinned in `<home>/plugins/lock.json`,
 * then the plugin folders given, or found in each folder given, except those of a plugin the
 * lock pins (the installed version wins, so an upgrade of a first-party plugin takes effect).
 */
export async function discoverPluginFolders(home: string, pluginDirs: readonly string[]): Promise<string[]> {
  const lock = await readLockfile(home);
  const installed = Object.entries(lock.plugins).map(([name, { version }]) =>
    installedPluginDir(home, name, version),
  );
  const development: string[] = [];
  for (const dir of (await Promise.all(pluginDirs.map(pluginFoldersIn))).flat()) {
    const name = await packageName(dir);
    if (typeof name !== "string" || !(name in lock.plugins)) development.push(dir);
  }
  return [...installed, ...development];
}
