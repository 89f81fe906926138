import { existsSync, lstatSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { APP_ENV_FILE, BuntimeError } from "@buntime/sdk";
import { matchesIntegrity, readTarball } from "@buntime/supply";
import {
  BUILD_FILES,
  builtAppDir,
  builtAppTarballPath,
  builtPluginDir,
  builtTarballPath,
} from "../build/layout.ts";
import { FILE_DIGESTS, fileIntegrity, listFiles } from "../build/normalize.ts";
import { checkLockFresh, type DistroLock, readLock } from "../lock/schema.ts";
import { appSource, type DistroManifest, readManifest } from "../manifest.ts";
import { verifyLockedPackage, verifyLockedSignatures } from "./locked-signatures.ts";

/** A built distribution that passed {@link verifyBuild}. */
export interface VerifiedBuild {
  dir: string;
  manifest: DistroManifest;
  lock: DistroLock;
  /** One folder per locked plugin, to hand to the kernel as plugin folders. */
  pluginFolders: string[];
  /** `app@version` of every registry app, verified in the built home. */
  apps: string[];
  /** The plugins' settings from the manifest (`buntime.config.json`'s `plugins`). */
  pluginSettings: Record<string, unknown>;
  /** `build.json`: names, manifest and lock hashes, kernel and builder. */
  provenance: Record<string, unknown>;
}

function tampered(pkg: string, file: string, details: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_DISTRO_TAMPERED", { package: pkg, file, details });
}

/**
 * Checks an extracted folder against the tarball it came from: the tarball matches the locked
 * integrity, and the folder holds the same files, byte for byte, and no others.
 */
function verifyExtracted(
  dir: string,
  label: string,
  tarballPath: string,
  integrity: string,
  folder: string,
  ignore: readonly string[] = [],
) {
  const shown = (path: string) => relative(dir, path);
  if (!existsSync(tarballPath)) throw tampered(label, shown(tarballPath), "is missing");
  const bytes = readFileSync(tarballPath);
  if (!matchesIntegrity(bytes, integrity)) {
    throw tampered(
      label,
      shown(tarballPath),
      `does not match the locked integrity ${integrity.slice(0, 20)}…`,
    );
  }
  const expected = new Map(
    readTarball(bytes, { source: label })
      .entries.filter((entry) => entry.type === "file")
      .filter((entry) => !ignore.includes(entry.path))
      .map((entry) => [entry.path, entry.data]),
  );
  const present = (existsSync(folder) ? listFiles(folder) : []).filter((file) => !ignore.includes(file));
  for (const file of present) {
    const data = expected.get(file);
    if (!data) throw tampered(label, shown(join(folder, file)), "is not in the locked tarball");
    if (!Buffer.from(data).equals(readFileSync(join(folder, file)))) {
      throw tampered(label, shown(join(folder, file)), "differs from the locked tarball");
    }
    expected.delete(file);
  }
  const [missing] = expected.keys();
  if (missing !== undefined) throw tampered(label, shown(join(folder, missing)), "is missing");
}

/** Checks one plugin's folder against its locked tarball; answers the folder. */
function verifyPlugin(dir: string, lock: DistroLock, name: string): string {
  const plugin = lock.plugins[name] as DistroLock["plugins"][string];
  const folder = builtPluginDir(dir, name, plugin.version);
  const tarball = builtTarballPath(dir, name, plugin.version);
  verifyExtracted(dir, `${name}@${plugin.version}`, tarball, plugin.integrity, folder);
  return folder;
}

/** Checks every registry app of the lock: its signatures, and its folder in the built home against its tarball. */
function verifyApps(dir: string, lock: DistroLock, policy: DistroManifest["policy"]): string[] {
  const verified: string[] = [];
  for (const [app, locked] of Object.entries(lock.apps ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    verifyLockedPackage(lock, locked.package, locked, policy);
    const label = `app ${app} (${locked.package}@${locked.version})`;
    const tarball = builtAppTarballPath(dir, locked.package, locked.version);
    // `.env.json` holds the start's values of the app's declared variables, rewritten by every
    // start before the kernel runs (app-env.ts): not part of the package
    const folder = builtAppDir(dir, app, locked.version);
    verifyExtracted(dir, label, tarball, locked.integrity, folder, [APP_ENV_FILE]);
    verified.push(`${app}@${locked.version}`);
  }
  return verified;
}

/**
 * True when the file's digest, in the algorithm `recorded` names (sha256, or sha512 as earlier
 * builds wrote), is `recorded`; any other algorithm, and a file that cannot be read (a dangling
 * link, no permission), fail closed, so the refusal names the file.
 */
function matchesRecorded(path: string, recorded: string): boolean {
  const digest = FILE_DIGESTS.find((name) => recorded.startsWith(`${name}-`));
  try {
    return digest !== undefined && fileIntegrity(path, digest) === recorded;
  } catch {
    return false;
  }
}

/**
 * Checks folders of the build against the digest of each file the build recorded in `listName`
 * (paths relative to the build): the same files, byte for byte, and no others. A folder's
 * mismatch names it by its label.
 */
function verifyHashed(dir: string, listName: string, folders: { folder: string; label: string }[]): void {
  if (folders.length === 0) return;
  const listPath = join(dir, listName);
  if (!existsSync(listPath)) throw tampered(folders[0]?.label ?? listName, listName, "is missing");
  const hashes = JSON.parse(readFileSync(listPath, "utf8")) as Record<string, string>;
  for (const { folder, label } of folders) {
    const present = existsSync(join(dir, folder))
      ? listFiles(join(dir, folder)).map((f) => `${folder}/${f}`)
      : [];
    for (const file of present) {
      const hash = hashes[file];
      if (!hash) throw tampered(label, file, "was not built into this distribution");
      if (!matchesRecorded(join(dir, file), hash)) throw tampered(label, file, "differs from the build");
    }
    const missing = Object.keys(hashes).find(
      (file) => file.startsWith(`${folder}/`) && !existsSync(join(dir, file)),
    );
    if (missing) throw tampered(label, missing, "is missing");
  }
}

/**
 * Checks the vendored runner's files against the hashes the build recorded. A build without a
 * runner has no `node_modules`, or a link to this machine's (`linkModules`); a real folder with
 * no `vendor.json` is refused, so deleting the list does not turn the check off.
 */
function verifyVendor(dir: string): void {
  const modules = lstatSync(join(dir, "node_modules"), { throwIfNoEntry: false });
  if (!existsSync(join(dir, BUILD_FILES.vendor)) && !modules?.isDirectory()) return;
  verifyHashed(dir, BUILD_FILES.vendor, [{ folder: "node_modules", label: "node_modules" }]);
}

/** Checks the manifest's local-folder apps in the built home against the hashes the build recorded. */
function verifyLocalApps(dir: string, manifest: DistroManifest): void {
  const local = Object.entries(manifest.apps)
    .filter(([name, entry]) => "path" in appSource(name, entry))
    .map(([name]) => ({ folder: `home/apps/${name}`, label: `app ${name} (local folder)` }))
    .sort((a, b) => a.folder.localeCompare(b.folder));
  verifyHashed(dir, BUILD_FILES.localApps, local);
}

/**
 * Verifies a built distribution before anything of it is loaded: its lock is the manifest's,
 * every plugin's tarball matches the locked sha512 integrity and its signatures verify with the
 * lock's keys (per the manifest's policy), every extracted file equals the tarball's and no file
 * was added (the registry apps' files in the built home too), and the local-folder apps and the
 * vendored runner match the build's hashes. The first mismatch is
 * `BUNTIME_ERR_DISTRO_TAMPERED` naming the package and the file. Needs no network.
 */
export function verifyBuild(dir: string): VerifiedBuild {
  const provenancePath = join(dir, BUILD_FILES.provenance);
  if (!existsSync(provenancePath)) {
    throw new BuntimeError("BUNTIME_ERR_DISTRO_INVALID", {
      dir,
      details: `no ${BUILD_FILES.provenance}; build it with buntime distro build`,
    });
  }
  const manifestPath = join(dir, BUILD_FILES.manifest);
  const lockPath = join(dir, BUILD_FILES.lock);
  const manifest = readManifest(manifestPath);
  const lock = readLock(lockPath);
  checkLockFresh(lock, manifest, lockPath, manifestPath);
  const pluginFolders: string[] = [];
  for (const name of Object.keys(lock.plugins).sort()) {
    verifyLockedSignatures(lock, name, manifest.policy);
    pluginFolders.push(verifyPlugin(dir, lock, name));
  }
  const apps = verifyApps(dir, lock, manifest.policy);
  verifyLocalApps(dir, manifest);
  verifyVendor(dir);
  const configPath = join(dir, BUILD_FILES.config);
  const config = existsSync(configPath)
    ? (JSON.parse(readFileSync(configPath, "utf8")) as { plugins?: Record<string, unknown> })
    : {};
  return {
    dir,
    manifest,
    lock,
    pluginFolders,
    apps,
    pluginSettings: config.plugins ?? {},
    provenance: JSON.parse(readFileSync(provenancePath, "utf8")),
  };
}
