/**
 * What removing an auth provider would open: the apps of the home whose config says
 * `protected` or `internal`. Without a plugin providing `auth` they answer 503 (the router
 * refuses rather than open them), so `buntime plugin remove` asks for `--force` first.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { installedPluginDir } from "@buntime/kernel";
import { loadAppConfig } from "@buntime/sdk";

/** True when the installed `name@version` provides the `auth` service. */
function providesAuth(home: string, name: string, version: string): boolean {
  try {
    const pkg = JSON.parse(
      readFileSync(join(installedPluginDir(home, name, version), "package.json"), "utf8"),
    );
    return Array.isArray(pkg?.buntime?.provides) && pkg.buntime.provides.includes("auth");
  } catch {
    return false;
  }
}

/** The folders of one app: itself (unversioned) and each version folder inside it. */
function appFolders(dir: string): string[] {
  const versions = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d+\.\d+\.\d+/.test(entry.name))
    .map((entry) => join(dir, entry.name));
  return [dir, ...versions];
}

/** Names of the home's apps an auth provider guards, if `name@version` is one; else none. */
export async function appsGuardedBy(home: string, name: string, version: string): Promise<string[]> {
  const apps = join(home, "apps");
  if (!providesAuth(home, name, version) || !existsSync(apps)) return [];
  const guarded: string[] = [];
  for (const entry of readdirSync(apps, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    for (const folder of appFolders(join(apps, entry.name))) {
      const config = await loadAppConfig(folder, entry.name).catch(() => undefined);
      if (config !== undefined && config.visibility !== "public") {
        guarded.push(entry.name);
        break;
      }
    }
  }
  return guarded.sort();
}
