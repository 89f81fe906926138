/**
 * A build's apps: local folders copied into the built home, and registry apps fetched, verified
 * against the lock and extracted where the router serves them (`home/apps/<app>/<version>/`,
 * with `.active` naming the version), their tarballs kept for the start-time check.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { BuntimeError, parseAppManifest } from "@buntime/sdk";
import { extractTarball, matchesIntegrity } from "@buntime/supply";
import type { DistroLock, LockedApp } from "../lock/schema.ts";
import { appSource, type DistroManifest } from "../manifest.ts";
import { verifyLockedPackage } from "../verify/locked-signatures.ts";
import { BUILD_FILES, builtAppDir, builtAppTarballPath, builtHome } from "./layout.ts";
import { fileIntegrity, listFiles } from "./normalize.ts";
import type { TarballSource } from "./tarballs.ts";

/** The file in `<apps>/<name>/` naming the version `/<name>/` reaches (the router's and the deployments plugin's). */
export const ACTIVE_FILE = ".active";

/** What placing apps needs of a build. */
export interface AppsInput {
  manifest: DistroManifest;
  manifestPath: string;
  lock: DistroLock;
  tarballs: TarballSource;
}

function tampered(label: string, file: string, details: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_DISTRO_TAMPERED", { package: label, file, details });
}

/** Fetches one locked registry app, checks its bytes and signatures, and extracts it into the staging folder. */
async function placeRegistryApp(input: AppsInput, stage: string, app: string, locked: LockedApp) {
  const label = `app ${app} (${locked.package}@${locked.version})`;
  verifyLockedPackage(input.lock, locked.package, locked, input.manifest.policy);
  const bytes = await input.tarballs(locked.package, locked);
  if (!matchesIntegrity(bytes, locked.integrity))
    throw tampered(label, "its tarball", "does not match the locked integrity");
  const tarball = builtAppTarballPath(stage, locked.package, locked.version);
  mkdirSync(dirname(tarball), { recursive: true });
  writeFileSync(tarball, bytes);
  const dir = builtAppDir(stage, app, locked.version);
  extractTarball(bytes, dir, { source: label });
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    name?: unknown;
    version?: unknown;
    buntime?: { app?: unknown };
  };
  if (pkg.name !== locked.package || pkg.version !== locked.version)
    throw tampered(label, "package.json", `names ${String(pkg.name)}@${String(pkg.version)}`);
  // a bad buntime.app fails the build, not the first request; env values come at start (app-env.ts)
  parseAppManifest(pkg.buntime?.app ?? {}, `${app}@${locked.version}`);
  writeFileSync(join(dirname(dir), ACTIVE_FILE), `${locked.version}\n`);
}

/**
 * Places the manifest's apps into the staging folder's home, in name order: a local folder is
 * copied (without `node_modules` and `.git`) and the sha512 of each of its files recorded in
 * `apps.json` for the start-time check; a registry app is taken from the lock, its
 * signatures verified with the lock's keys under the policy and its tarball checked against the
 * locked integrity before anything of it is extracted.
 */
export async function placeApps(
  input: AppsInput,
  stage: string,
): Promise<{ name: string; version: string }[]> {
  const placed: { name: string; version: string }[] = [];
  const hashes: Record<string, string> = {};
  for (const [app, entry] of Object.entries(input.manifest.apps).sort(([a], [b]) => a.localeCompare(b))) {
    const source = appSource(app, entry);
    if ("path" in source) {
      const from = resolve(dirname(input.manifestPath), source.path);
      if (!existsSync(from))
        throw new BuntimeError("BUNTIME_ERR_DISTRO_NOT_FOUND", { what: `folder of app ${app}`, path: from });
      const to = join(builtHome(stage), "apps", app);
      // links are followed: the build holds the files, not pointers into this machine
      cpSync(from, to, {
        recursive: true,
        dereference: true,
        filter: (path) => !["node_modules", ".git"].includes(basename(path)),
      });
      for (const file of listFiles(to)) hashes[`home/apps/${app}/${file}`] = fileIntegrity(join(to, file));
      continue;
    }
    const locked = input.lock.apps?.[app];
    if (!locked) {
      throw new BuntimeError("BUNTIME_ERR_DISTRO_LOCK_STALE", {
        lock: "distro.lock.json",
        manifest: input.manifestPath,
        details: `app ${app} not locked`,
      });
    }
    await placeRegistryApp(input, stage, app, locked);
    placed.push({ name: app, version: locked.version });
  }
  if (Object.keys(hashes).length > 0)
    writeFileSync(join(stage, BUILD_FILES.localApps), `${JSON.stringify(hashes, null, 2)}\n`);
  return placed;
}
