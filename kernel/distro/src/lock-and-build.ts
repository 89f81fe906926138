import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RegistryClient } from "@buntime/supply";
import { writeFileAtomic } from "./atomic-write.ts";
import { buildDistribution, type Runner } from "./build/build.ts";
import { BUILD_FILES } from "./build/layout.ts";
import { cachedTarballs } from "./build/tarballs.ts";
import { lockDistribution } from "./lock/lock.ts";
import { canonicalJson, type DistroLock, LOCK_FILE, readLock, serializeLock } from "./lock/schema.ts";
import { readManifest } from "./manifest.ts";

/** What {@link lockAndBuild} works from. */
export interface LockAndBuildOptions {
  manifestPath: string;
  client: RegistryClient;
  kernelVersion: string;
  /** Holds `distro.lock.json`, the tarball cache (`tarballs/`) and the build (`build/`). */
  workDir: string;
  builder: string;
  runner?: Runner;
  linkModules?: string;
}

/** True when two locks pin the same plugins and apps, bytes and signatures for one manifest and kernel (wherever the registry listened). */
function sameContent(a: DistroLock, b: DistroLock): boolean {
  const content = (lock: DistroLock) =>
    canonicalJson([lock.manifest, lock.kernel, lock.plugins, lock.apps ?? {}]);
  return content(a) === content(b);
}

/**
 * Locks a manifest against a registry and builds it, the way `buntime distro lock` and `build`
 * do, into `workDir`; the build is skipped when the one there was made from a lock of the same
 * content (the same plugins, integrity and signatures, for the same manifest and kernel; the
 * registry's address may differ). Answers the build folder and whether it was rebuilt.
 */
export async function lockAndBuild(
  options: LockAndBuildOptions,
): Promise<{ build: string; rebuilt: boolean }> {
  const { manifestPath, client, workDir } = options;
  const manifest = readManifest(manifestPath);
  const lock = await lockDistribution({
    manifest,
    manifestPath,
    client,
    kernelVersion: options.kernelVersion,
  });
  const text = serializeLock(lock);
  const lockPath = join(workDir, LOCK_FILE);
  if (!existsSync(lockPath) || readFileSync(lockPath, "utf8") !== text) writeFileAtomic(lockPath, text);
  const build = join(workDir, "build");
  const built = existsSync(join(build, BUILD_FILES.provenance))
    ? readLock(join(build, BUILD_FILES.lock), true)
    : undefined;
  if (built && sameContent(built, lock)) return { build, rebuilt: false };
  await buildDistribution({
    manifest,
    manifestPath,
    lock,
    lockPath,
    out: build,
    tarballs: cachedTarballs(join(workDir, "tarballs"), client),
    builder: options.builder,
    runner: options.runner,
    linkModules: options.linkModules,
  });
  return { build, rebuilt: true };
}
