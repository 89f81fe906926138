import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { installedPluginDir, readLockfile } from "./lockfile.ts";
import { isPluginFolder } from "./read-plugin-folder.ts";

/** Lists the plugin folders in a plain directory, including `@scope/name` folders. */
async function pluginFoldersIn(dir: string): Promise<string[]> {
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

/**
 * Every plugin folder the kernel should load: the versions pinned in `<home>/plugins/lock.json`,
 * then the plugin folders found in each development directory.
 */
export async function discoverPluginFolders(home: string, pluginDirs: readonly string[]): Promise<string[]> {
  const lock = await readLockfile(home);
  const installed = Object.entries(lock.plugins).map(([name, { version }]) =>
    installedPluginDir(home, name, version),
  );
  const development = (await Promise.all(pluginDirs.map(pluginFoldersIn))).flat();
  return [...installed, ...development];
}
