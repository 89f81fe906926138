import { join } from "node:path";

/** Where things are inside a built distribution folder. */
export const BUILD_FILES = {
  manifest: "buntime.distro.json",
  lock: "distro.lock.json",
  config: "buntime.config.json",
  provenance: "build.json",
  vendor: "vendor.json",
  /** sha512 of every file of the manifest's local-folder apps, checked at start like the runner. */
  localApps: "apps.json",
  start: "start",
} as const;

/** A file-system-safe stem for a package: `@scope/name` → `@scope__name`. */
function stem(name: string): string {
  return name.replace("/", "__");
}

/** The folder a locked plugin is extracted into: `plugins/<name>/<version>`. */
export function builtPluginDir(dir: string, name: string, version: string): string {
  return join(dir, "plugins", name, version);
}

/** The verified tarball a plugin was extracted from: `tarballs/<name>-<version>.tgz`. */
export function builtTarballPath(dir: string, name: string, version: string): string {
  return join(dir, "tarballs", `${stem(name)}-${version}.tgz`);
}

/** The home a built distribution starts with by default (apps are built into it). */
export function builtHome(dir: string): string {
  return join(dir, "home");
}

/** The folder a locked registry app is extracted into, where the router serves it: `home/apps/<app>/<version>`. */
export function builtAppDir(dir: string, app: string, version: string): string {
  return join(builtHome(dir), "apps", app, version);
}

/** The verified tarball a registry app was extracted from: `tarballs/apps/<package>-<version>.tgz`. */
export function builtAppTarballPath(dir: string, pkg: string, version: string): string {
  return join(dir, "tarballs", "apps", `${stem(pkg)}-${version}.tgz`);
}
