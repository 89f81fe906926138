import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { installedPluginDir, KERNEL_VERSION, type Lockfile, lockfilePath } from "@buntime/kernel";
import { BuntimeError, parsePluginPackage } from "@buntime/sdk";
import { extractTarball, requireResolvableDependencies } from "@buntime/supply";
import type { CliContext } from "../common/context.ts";
import { holdInterrupts } from "../common/interrupt.ts";
import type { Output } from "../common/output.ts";
import { type SignaturePolicy, writeSettings } from "../common/settings.ts";
import { beginHomeChange, type HomeChange } from "./home-change.ts";
import { withHomeLock } from "./home-lock.ts";
import { findKernel } from "./kernel-link.ts";
import { loadIntoKernel } from "./kernel-load.ts";
import {
  type History,
  historyPath,
  type LockEntry,
  readHistory,
  readLock,
  writeHistory,
  writeLock,
} from "./lock-store.ts";
import { checkAdvertisedManifest } from "./manifest-check.ts";
import { type InstalledDependents, type PlannedPlugin, type PluginSpec, planInstall } from "./plan.ts";
import { createSignatureChecker, type SignatureChecker, type VerifiedSignatures } from "./verify.ts";

/** One plugin an install put in place. */
export interface InstalledPlugin {
  name: string;
  version: string;
  previous?: string;
  wantedBy: string;
  signed: { registry: boolean; publisher?: string };
  /** What the manifest says the plugin may touch. */
  permissions: { network: string[]; env: string[]; storage: boolean };
}

/** What an install did. */
export interface InstallResult {
  installed: InstalledPlugin[];
  /** The kernel the plugins were loaded into, if one runs on the home. */
  kernel?: string;
}

/** The package.json of an extracted tarball; a missing or broken one is `BUNTIME_ERR_TARBALL_INVALID`. */
function readPackageJson(dir: string, label: string): unknown {
  try {
    return JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_TARBALL_INVALID",
      { source: label, details: "no readable package.json in it" },
      { cause: error },
    );
  }
}

/** The dependency ranges installed plugins declare, read from their installed package.json. */
export function installedDependents(home: string, plugins: Record<string, LockEntry>): InstalledDependents {
  const dependents: InstalledDependents = new Map();
  for (const [name, { version }] of Object.entries(plugins)) {
    const path = join(installedPluginDir(home, name, version), "package.json");
    if (!existsSync(path)) continue;
    const manifest = JSON.parse(readFileSync(path, "utf8")).buntime as {
      dependencies?: Record<string, string>;
    };
    for (const [dependency, range] of Object.entries(manifest?.dependencies ?? {})) {
      dependents.set(dependency, [
        ...(dependents.get(dependency) ?? []),
        { dependent: `${name}@${version}`, range },
      ]);
    }
  }
  return dependents;
}

/**
 * Installs (or upgrades) plugins into a home: plans against the registry and this kernel,
 * downloads with progress, verifies integrity and signatures per `policy`, extracts each into
 * staging and renames it into place, writes `lock.json` atomically and loads the plugins into
 * the kernel running on the home. Any failure leaves the home exactly as it was.
 */
export function installPlugins(
  context: CliContext,
  out: Output,
  specs: readonly PluginSpec[],
  options: { policy: SignaturePolicy; upgrade?: boolean },
): Promise<InstallResult> {
  return withHomeLock(context.home, () => install(context, out, specs, options));
}

/** A downloaded, verified tarball of a planned plugin. */
interface Download {
  plugin: PlannedPlugin;
  bytes: Uint8Array;
  signed: InstalledPlugin["signed"];
  /** The registry signature that verified, recorded in the lockfile. */
  sig?: string;
  /** The publisher signature that verified, recorded in the lockfile (the kernel's `pluginPolicy` reads it). */
  publisherSig?: VerifiedSignatures["publisherSignature"];
}

/** Downloads every planned tarball (integrity checked by the client) and verifies its signatures. */
async function downloadAll(
  plan: PlannedPlugin[],
  context: CliContext,
  out: Output,
  checker: SignatureChecker,
) {
  const downloads: Download[] = [];
  for (const plugin of plan) {
    const label = `${plugin.name}@${plugin.version}`;
    const { tarball, integrity } = plugin.doc.dist;
    const bytes = await context.client.tarball(tarball, integrity, label, (n, total) =>
      out.progress(label, n, total),
    );
    const verified = await checker.check(plugin.doc);
    downloads.push({
      plugin,
      bytes,
      signed: { registry: verified.registry !== undefined, publisher: verified.publisher },
      sig: verified.registry,
      publisherSig: verified.publisherSignature,
    });
  }
  return downloads;
}

/**
 * Extracts each download into staging, checks it is the version planned, moves it into
 * place, and answers the next lockfile and rollback record (the version before the last
 * upgrade stays; the one before that is retired).
 */
function stageAll(home: string, change: HomeChange, downloads: Download[], lock: Lockfile, history: History) {
  const nextLock: Lockfile = { lockfileVersion: 1, plugins: { ...lock.plugins } };
  const nextHistory = { ...history };
  for (const [index, { plugin, bytes, sig, publisherSig }] of downloads.entries()) {
    const label = `${plugin.name}@${plugin.version}`;
    const staged = join(change.staging, String(index));
    extractTarball(bytes, staged, { source: label });
    const packageJson = readPackageJson(staged, label);
    parsePluginPackage(packageJson, label);
    checkAdvertisedManifest(packageJson as Record<string, unknown>, plugin.doc, label);
    requireResolvableDependencies(packageJson as Record<string, unknown>, staged, label, home);
    const dest = installedPluginDir(home, plugin.name, plugin.version);
    if (existsSync(dest)) rmSync(staged, { recursive: true, force: true });
    else change.place(staged, dest);
    const previous = lock.plugins[plugin.name];
    if (previous) {
      const older = history[plugin.name];
      if (older && older.version !== plugin.version && older.version !== previous.version) {
        const olderDir = installedPluginDir(home, plugin.name, older.version);
        if (existsSync(olderDir)) change.retire(olderDir);
      }
      nextHistory[plugin.name] = previous;
    }
    nextLock.plugins[plugin.name] = {
      version: plugin.version,
      integrity: plugin.doc.dist.integrity,
      ...(sig ? { signature: sig } : {}),
      ...(publisherSig ? { publisher: publisherSig } : {}),
    };
  }
  return { nextLock, nextHistory };
}

function permissionsOf(plugin: PlannedPlugin): InstalledPlugin["permissions"] {
  const declared = (plugin.doc.buntime?.permissions ?? {}) as Partial<InstalledPlugin["permissions"]>;
  return { network: declared.network ?? [], env: declared.env ?? [], storage: declared.storage === true };
}

/** Saves registry keys pinned on first use; a failure here only loses the pin, so it is a note. */
function savePins(context: CliContext, out: Output, checker: SignatureChecker): void {
  if (Object.keys(checker.newPins).length === 0) return;
  try {
    writeSettings(
      { ...context.settings, registryKeys: { ...context.settings.registryKeys, ...checker.newPins } },
      context.settingsDir,
    );
  } catch (error) {
    out.note(`could not pin the registry's keys in ${context.settingsDir}: ${(error as Error).message}`);
  }
}

async function install(
  context: CliContext,
  out: Output,
  specs: readonly PluginSpec[],
  options: { policy: SignaturePolicy; upgrade?: boolean },
): Promise<InstallResult> {
  const { home, client } = context;
  const lock = await readLock(home);
  const history = readHistory(home);
  const dependents = installedDependents(home, lock.plugins);
  // plugins must suit the kernel they will run in: the one running on the home, else this CLI's own
  const link = await findKernel(home);
  const kernelVersion = link?.version ?? KERNEL_VERSION;
  const plan = await planInstall(specs, client, kernelVersion, lock.plugins, dependents, options.upgrade);
  if (plan.length === 0) return { installed: [] };
  out.note(`resolved ${plan.map((p) => `${p.name}@${p.version}`).join(", ")}`);
  const checker = createSignatureChecker(client, options.policy, context.settings.registryKeys);
  const downloads = await downloadAll(plan, context, out, checker);

  const change = beginHomeChange(home);
  try {
    const { nextLock, nextHistory } = stageAll(home, change, downloads, lock, history);
    change.write(lockfilePath(home), () => writeLock(home, nextLock));
    if (JSON.stringify(nextHistory) !== JSON.stringify(history)) {
      change.write(historyPath(home), () => writeHistory(home, nextHistory));
    }
    if (link) {
      out.note(`loading into the kernel at ${link.url}`);
      await holdInterrupts(() => loadIntoKernel(link, plan));
    }
    change.commit();
    savePins(context, out, checker);
    return {
      installed: downloads.map(({ plugin, signed }) => ({
        name: plugin.name,
        version: plugin.version,
        previous: plugin.replaces,
        wantedBy: plugin.wantedBy,
        signed,
        permissions: permissionsOf(plugin),
      })),
      kernel: link?.url,
    };
  } catch (error) {
    change.rollback();
    throw error;
  }
}
