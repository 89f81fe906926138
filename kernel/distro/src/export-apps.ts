import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import semver from "semver";
import { ACTIVE_FILE } from "./build/apps.ts";
import { appNameSchema, type DistroManifestInput } from "./manifest.ts";

type AppEntry = NonNullable<DistroManifestInput["apps"]>[string];

/** The version `/<name>/` reaches in a versioned app folder: the one `.active` names when installed, else the highest. */
function activeVersion(dir: string, versions: string[]): string | undefined {
  const named = existsSync(join(dir, ACTIVE_FILE)) ? readFileSync(join(dir, ACTIVE_FILE), "utf8").trim() : "";
  return versions.includes(named) ? named : versions.sort(semver.rcompare)[0];
}

/** The package name in a package.json, when it is readable and names one (else the app's name is its package's). */
function packageName(path: string): string | undefined {
  try {
    const { name } = JSON.parse(readFileSync(path, "utf8")) as { name?: unknown };
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The manifest entries of the apps in an apps folder (`<home>/apps`), for `distro export`: an
 * app deployed as a package (`<name>/<version>/`, as the deployments plugin and registry apps of
 * a build lay it out) becomes its package at the active version (`"1.2.0"`, or `{ range,
 * package }` when the package has another name), a plain folder app `{ path }` relative to the
 * manifest at `manifestPath`. Names a manifest cannot hold (and hidden folders) are skipped.
 */
export function exportedApps(appsDir: string, manifestPath: string): Record<string, AppEntry> {
  if (!existsSync(appsDir)) return {};
  const apps: Record<string, AppEntry> = {};
  for (const name of readdirSync(appsDir).sort()) {
    const dir = join(appsDir, name);
    if (!appNameSchema.safeParse(name).success || !statSync(dir).isDirectory()) continue;
    const versions = readdirSync(dir).filter(
      (entry) => semver.valid(entry) === entry && statSync(join(dir, entry)).isDirectory(),
    );
    const version = activeVersion(dir, versions);
    if (version === undefined) {
      const path = relative(dirname(manifestPath), dir);
      apps[name] = { path: path.startsWith(".") || path.startsWith("/") ? path : `./${path}` };
      continue;
    }
    const pkg = packageName(join(dir, version, "package.json"));
    apps[name] = !pkg || pkg === name ? version : { range: version, package: pkg };
  }
  return apps;
}
