import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { BuntimeError, parsePluginPackage } from "@buntime/sdk";
import { extractTarball, matchesIntegrity } from "@buntime/supply";
import { checkLockFresh, type DistroLock, serializeLock } from "../lock/schema.ts";
import { type DistroManifest, pluginConfig } from "../manifest.ts";
import { verifyLockedSignatures } from "../verify/locked-signatures.ts";
import { placeApps } from "./apps.ts";
import { dockerfileOf, sbomOf } from "./docker.ts";
import { writeHelmChart } from "./helm/chart.ts";
import { BUILD_FILES, builtHome, builtPluginDir, builtTarballPath } from "./layout.ts";
import { fileIntegrity, listFiles, normalizeTree } from "./normalize.ts";
import type { TarballSource } from "./tarballs.ts";
import { type VendorRoot, vendorPackages } from "./vendor.ts";

/** What runs a built distribution: packages copied into its node_modules, and the script the start file runs. */
export interface Runner {
  roots: VendorRoot[];
  /** The CLI script under node_modules, e.g. `@buntime/cli/bin/buntime.ts`. */
  bin: string;
  /** Where the plugins' own dependencies are found on this machine. */
  resolveFrom: string;
}

/** What {@link buildDistribution} works from. */
export interface BuildOptions {
  manifest: DistroManifest;
  manifestPath: string;
  lock: DistroLock;
  lockPath: string;
  /** The folder to build; replaced only by a complete build, and only if it is an earlier build. */
  out: string;
  tarballs: TarballSource;
  /** The builder, recorded in `build.json`, e.g. `@buntime/cli 0.1.0`. */
  builder: string;
  /** Vendor a runner: the folder then runs without this repository or any install. */
  runner?: Runner;
  /**
   * Instead of a runner, link `node_modules` to this folder: a build for this machine only, whose
   * plugins resolve their libraries from there (the default distribution's, from the repository).
   */
  linkModules?: string;
  /** Also write a Dockerfile (on Bun's image of this version), a .dockerignore and a CycloneDX SBOM; needs a runner. */
  docker?: { bunVersion: string };
  /** Also write a Helm chart of the Docker image into `helm/` (needs `docker`). */
  helm?: boolean;
  /** mtime of every file, in seconds. @default SOURCE_DATE_EPOCH, else 315532800 (1980-01-01) */
  sourceDateEpoch?: number;
  /** Told the staging folder as soon as it exists, so an interrupted caller can remove it. */
  onStaging?: (dir: string) => void;
}

/** What a build wrote. */
export interface BuildResult {
  out: string;
  plugins: { name: string; version: string }[];
  /** The registry apps placed (local-folder apps are copied, not listed). */
  apps: { name: string; version: string }[];
  files: number;
  /** With `helm`: plugins whose settings schema was derived from the manifest (their entry could not be imported), with why. */
  derivedSchemas?: Record<string, string>;
}

const sha256 = (text: string) => `sha256-${createHash("sha256").update(text).digest("base64")}`;

/** Removes staging folders of builds whose process is gone (killed outright mid-build). */
function sweepStaleStaging(out: string): void {
  const prefix = `.${basename(out)}.building-`;
  for (const name of readdirSync(dirname(out)).filter((n) => n.startsWith(prefix))) {
    if (!/^\d+$/.test(name.slice(prefix.length))) continue; // an earlier build kept after a failed swap: data
    const pid = Number(name.slice(prefix.length));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = pid !== process.pid;
    } catch {
      alive = false;
    }
    if (!alive) rmSync(join(dirname(out), name), { recursive: true, force: true });
  }
}

/**
 * Moves what a kernel wrote into the earlier build's home (its data, tokens, settings; not the
 * apps, which the new build brings) into the new build, so rebuilding loses no state.
 */
function keepHomeData(earlier: string, build: string): void {
  const home = builtHome(earlier);
  if (!existsSync(home)) return;
  mkdirSync(builtHome(build), { recursive: true });
  for (const name of readdirSync(home).filter((n) => n !== "apps")) {
    renameSync(join(home, name), join(builtHome(build), name));
  }
}

/** Fetches, verifies and extracts every locked plugin into the staging folder. */
async function placePlugins(options: BuildOptions, stage: string): Promise<BuildResult["plugins"]> {
  const { lock, manifest, tarballs } = options;
  const placed: BuildResult["plugins"] = [];
  for (const name of Object.keys(lock.plugins).sort()) {
    const plugin = lock.plugins[name] as DistroLock["plugins"][string];
    const label = `${name}@${plugin.version}`;
    verifyLockedSignatures(lock, name, manifest.policy);
    const bytes = await tarballs(name, plugin);
    if (!matchesIntegrity(bytes, plugin.integrity)) {
      throw new BuntimeError("BUNTIME_ERR_DISTRO_TAMPERED", {
        package: label,
        file: "its tarball",
        details: "does not match the locked integrity",
      });
    }
    const tarball = builtTarballPath(stage, name, plugin.version);
    mkdirSync(dirname(tarball), { recursive: true });
    writeFileSync(tarball, bytes);
    const dir = builtPluginDir(stage, name, plugin.version);
    extractTarball(bytes, dir, { source: label });
    const pkg = parsePluginPackage(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")), label);
    if (pkg.name !== name || pkg.version !== plugin.version) {
      throw new BuntimeError("BUNTIME_ERR_DISTRO_TAMPERED", {
        package: label,
        file: "package.json",
        details: `names ${pkg.name}@${pkg.version}`,
      });
    }
    placed.push({ name, version: plugin.version });
  }
  return placed;
}

/** Copies the runner and the plugins' dependencies into node_modules and records their hashes. */
function placeRunner(runner: Runner, stage: string, plugins: BuildResult["plugins"]): string {
  const roots = [...runner.roots];
  for (const { name, version } of plugins) {
    const pkg = JSON.parse(readFileSync(join(builtPluginDir(stage, name, version), "package.json"), "utf8"));
    for (const dependency of Object.keys(pkg.dependencies ?? {}).sort())
      roots.push({ name: dependency, from: runner.resolveFrom });
  }
  const modules = join(stage, "node_modules");
  vendorPackages(roots, modules);
  const hashes = Object.fromEntries(
    listFiles(modules).map((file) => [`node_modules/${file}`, fileIntegrity(join(modules, file))]),
  );
  writeFileSync(join(stage, BUILD_FILES.vendor), `${JSON.stringify(hashes, null, 2)}\n`);
  return `exec bun "$here/node_modules/${runner.bin}" distro start "$here" "$@"`;
}

/**
 * Builds a self-contained distribution folder from a manifest and its lock: each plugin's
 * tarball verified (integrity, and signatures with the lock's keys, per the policy) and
 * extracted into `plugins/<name>/<version>/`, the tarballs kept for the start-time check, apps
 * in `home/apps/` (local folders copied; registry apps verified like the plugins, extracted
 * into `home/apps/<app>/<version>/`), the plugins' settings in `buntime.config.json`, provenance in
 * `build.json`, optionally a vendored runner in `node_modules/`, and a `start` script. It is
 * built in a staging folder beside `out` and renamed into place only when complete, so a
 * failed or interrupted build leaves no half-built folder; files get fixed modes and mtimes,
 * so two builds of one lock give the same bytes.
 */
export async function buildDistribution(options: BuildOptions): Promise<BuildResult> {
  const { manifest, lock, manifestPath, lockPath } = options;
  checkLockFresh(lock, manifest, lockPath, manifestPath);
  const out = resolve(options.out);
  if (existsSync(out) && readdirSync(out).length > 0 && !existsSync(join(out, BUILD_FILES.provenance))) {
    throw new BuntimeError("BUNTIME_ERR_DISTRO_EXISTS", {
      path: out,
      details: "it is not an earlier build; choose another --out",
    });
  }
  mkdirSync(dirname(out), { recursive: true });
  sweepStaleStaging(out);
  const stage = join(dirname(out), `.${basename(out)}.building-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage);
  options.onStaging?.(stage);
  try {
    const plugins = await placePlugins(options, stage);
    const apps = await placeApps(options, stage);
    const lockText = serializeLock(lock);
    writeFileSync(join(stage, BUILD_FILES.lock), lockText);
    writeFileSync(join(stage, BUILD_FILES.manifest), readFileSync(manifestPath));
    const settings = Object.fromEntries(
      Object.entries(manifest.plugins).flatMap(([name, entry]) => {
        const config = pluginConfig(entry);
        return config ? [[name, config]] : [];
      }),
    );
    writeFileSync(join(stage, BUILD_FILES.config), `${JSON.stringify({ plugins: settings }, null, 2)}\n`);
    const provenance = {
      name: lock.name,
      version: lock.version,
      manifest: lock.manifest,
      lock: sha256(lockText),
      kernel: lock.kernel,
      builder: options.builder,
    };
    writeFileSync(join(stage, BUILD_FILES.provenance), `${JSON.stringify(provenance, null, 2)}\n`);
    if (options.linkModules) symlinkSync(resolve(options.linkModules), join(stage, "node_modules"), "dir");
    const exec = options.runner
      ? placeRunner(options.runner, stage, plugins)
      : `exec buntime distro start "$here" "$@"`;
    const script = `#!/bin/sh\n# Starts this Buntime distribution: every plugin file is checked against the lock first.\nhere="$(cd "$(dirname "$0")" && pwd)"\n${exec}\n`;
    writeFileSync(join(stage, BUILD_FILES.start), script, { mode: 0o755 });
    if (options.docker) {
      writeFileSync(join(stage, "Dockerfile"), dockerfileOf(lock, options.docker.bunVersion));
      writeFileSync(join(stage, ".dockerignore"), "home/*\n!home/apps\n**/.env.json\nhelm\n");
      writeFileSync(join(stage, "sbom.cdx.json"), sbomOf(lock, options.builder));
    }
    const derivedSchemas = options.helm ? await writeHelmChart(stage, lock, manifest) : undefined;
    const epoch = options.sourceDateEpoch ?? Number(process.env.SOURCE_DATE_EPOCH ?? 315532800);
    normalizeTree(stage, epoch);
    const files = listFiles(stage).length;
    const old = `${stage}.old`;
    if (existsSync(out)) renameSync(out, old);
    renameSync(stage, out);
    // the earlier build (and its home's data) stays in `old` should moving the data fail
    keepHomeData(old, out);
    rmSync(old, { recursive: true, force: true });
    return { out, plugins, apps, files, ...(derivedSchemas ? { derivedSchemas } : {}) };
  } catch (error) {
    rmSync(stage, { recursive: true, force: true });
    throw error;
  }
}
