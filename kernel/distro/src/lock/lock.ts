import { BuntimeError, satisfiesRange } from "@buntime/sdk";
import type { RegistryClient } from "@buntime/supply";
import type { DistroManifest } from "../manifest.ts";
import { pluginRange, registryApps } from "../manifest.ts";
import { formatProblems, PINNED, resolvePlugins } from "./resolve.ts";
import { resolveApps } from "./resolve-apps.ts";
import { type DistroLock, type LockedApp, type LockedPlugin, manifestHash } from "./schema.ts";
import { createPolicyChecker } from "./verify-signatures.ts";

/** What {@link lockDistribution} works from. */
export interface LockOptions {
  manifest: DistroManifest;
  /** Names the manifest in errors. */
  manifestPath: string;
  client: RegistryClient;
  /** The kernel the distribution runs on (the builder's own). */
  kernelVersion: string;
  /** The lock this one replaces: its registry keys must still be the registry's. */
  previous?: DistroLock;
  /** Plugins and apps (by app name) to keep at their version in `previous` (an upgrade of the others). */
  keep?: readonly string[];
}

/**
 * Resolves a manifest against a registry into a lock: one exact version per plugin (its
 * dependencies included) and per registry app, its sha512 integrity, the registry signature and
 * the publisher's key id, each verified under the manifest's policy. The same manifest and registry state give an
 * equal lock (serialize it with `serializeLock` for equal bytes). Ranges nothing satisfies are
 * `BUNTIME_ERR_DISTRO_UNSATISFIABLE` with one table of every such plugin and app.
 */
export async function lockDistribution(options: LockOptions): Promise<DistroLock> {
  const { manifest, manifestPath, client, kernelVersion, previous, keep = [] } = options;
  if (!satisfiesRange(kernelVersion, manifest.kernel)) {
    throw new BuntimeError("BUNTIME_ERR_DISTRO_UNSATISFIABLE", {
      manifest: manifestPath,
      table: `kernel ${manifest.kernel} is wanted, and this kernel is ${kernelVersion}`,
    });
  }
  const roots = Object.fromEntries(
    Object.entries(manifest.plugins).map(([name, entry]) => [name, pluginRange(entry)]),
  );
  const pins = Object.fromEntries(
    keep.flatMap((name) => (previous?.plugins[name] ? [[name, previous.plugins[name].version]] : [])),
  );
  const resolved = await resolvePlugins(roots, client, kernelVersion, pins);
  const wantedApps = registryApps(manifest).map(([name, source]) => ({ name, ...source }));
  const appPins = Object.fromEntries(
    wantedApps.flatMap(({ name, package: pkg }) => {
      const locked = previous?.apps?.[name];
      return keep.includes(name) && locked?.package === pkg ? [[name, locked.version]] : [];
    }),
  );
  const apps = await resolveApps(wantedApps, client, appPins);
  const problems = [...("problems" in resolved ? resolved.problems : []), ...apps.problems];
  if (problems.length > 0 || "problems" in resolved) {
    const error = new BuntimeError("BUNTIME_ERR_DISTRO_UNSATISFIABLE", {
      manifest: manifestPath,
      table: formatProblems(problems),
    });
    (error as BuntimeError & { problems?: unknown }).problems = problems;
    throw error;
  }
  const keyPins =
    previous && previous.registry === client.registry ? { [client.registry]: previous.registryKeys } : {};
  const checker = createPolicyChecker(client, manifest.policy, keyPins);
  const plugins: Record<string, LockedPlugin> = {};
  for (const [name, { doc, wants }] of [...resolved.chosen].sort(([a], [b]) => a.localeCompare(b))) {
    const proven = await checker.check(doc);
    const dependencies = doc.buntime?.dependencies ?? {};
    const permissions = doc.buntime?.permissions as Record<string, unknown> | undefined;
    plugins[name] = {
      version: doc.version,
      integrity: doc.dist.integrity,
      ...proven,
      ...(doc.buntime?.kernel ? { kernel: doc.buntime.kernel } : {}),
      ...(Object.keys(dependencies).length ? { dependencies } : {}),
      ...(permissions && Object.keys(permissions).length ? { permissions } : {}),
      // a kept version is not a dependent: the lock reads the same as one made from scratch
      wantedBy: [...new Set(wants.filter((want) => want.by !== PINNED).map((want) => want.by))].sort(),
    };
  }
  const lockedApps: Record<string, LockedApp> = {};
  for (const [name, doc] of [...apps.chosen].sort(([a], [b]) => a.localeCompare(b))) {
    const manifestOfApp = doc.buntime?.app as { permissions?: Record<string, unknown> } | undefined;
    const permissions = manifestOfApp?.permissions;
    lockedApps[name] = {
      package: doc.name,
      version: doc.version,
      integrity: doc.dist.integrity,
      ...(await checker.check(doc)),
      ...(permissions && Object.keys(permissions).length ? { permissions } : {}),
    };
  }
  return {
    lockfileVersion: 1,
    name: manifest.name,
    version: manifest.version,
    manifest: manifestHash(manifest),
    kernel: kernelVersion,
    registry: client.registry,
    registryKeys: checker.registryKeys(),
    publisherKeys: checker.publisherKeys(),
    plugins,
    ...(Object.keys(lockedApps).length ? { apps: lockedApps } : {}),
  };
}
