/**
 * A build's apps served from another home: the router serves `<home>/apps`, so a start
 * on a home other than the build's own links each verified app folder there.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { builtHome } from "./build/layout.ts";

/** True when `path` is a symbolic link (dangling ones too). */
function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Links `<home>/apps/<app>` to the build's `home/apps/<app>` for each app of the build (`names`),
 * unless the home has an app of that name of its own (which wins; answered, to be told). Links
 * into this build that no longer lead anywhere (an app a newer build dropped) are removed;
 * nothing else of the home is touched.
 */
export function linkBuiltApps(buildDir: string, home: string, names: readonly string[]): string[] {
  const apps = join(home, "apps");
  const from = join(builtHome(buildDir), "apps");
  const shadowed: string[] = [];
  if (existsSync(apps)) {
    for (const name of readdirSync(apps)) {
      const path = join(apps, name);
      if (isLink(path) && readlinkSync(path).startsWith(`${from}/`) && !existsSync(path)) rmSync(path);
    }
  }
  for (const app of [...names].sort()) {
    const link = join(apps, app);
    const target = join(from, app);
    if (isLink(link)) {
      if (resolve(readlinkSync(link)) === target) continue;
      rmSync(link);
    } else if (existsSync(link)) {
      shadowed.push(app);
      continue;
    }
    mkdirSync(apps, { recursive: true });
    symlinkSync(target, link, "dir");
  }
  return shadowed;
}
