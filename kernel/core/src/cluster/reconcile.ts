import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Logger } from "@buntime/sdk";
import type { PluginStatus } from "../plugins/loaded-plugin.ts";
import { installedPluginDir, type Lockfile } from "../plugins/lockfile.ts";
import type { PluginSource } from "../plugins/plugin-source.ts";
import { type DegradedPlugin, nextFailure, standInSource } from "./degraded.ts";
import { recordRollback, writeHomeLock } from "./home-files.ts";
import type { LockEntry } from "./lock-diff.ts";
import type { PluginCache } from "./plugin-cache.ts";
import type { DesiredState } from "./store.ts";
import type { ClusterSupply, DesiredPlugin } from "./supply.ts";

/** The plugin host as a reconcile drives it: only its public methods. */
export interface HostPort {
  list(): PluginStatus[];
  apply(sources: readonly PluginSource[]): Promise<PluginStatus[]>;
  unload(names: readonly string[]): Promise<void>;
  readFolder(dir: string): Promise<PluginSource>;
}

/** What one reconcile works with. */
export interface ReconcileInput {
  readonly desired: DesiredState;
  /** The lock this node applied before (its plugins not in `desired` are unloaded). */
  readonly previous: Lockfile;
  readonly degraded: ReadonlyMap<string, DegradedPlugin>;
  readonly home: string;
  readonly node: string;
  readonly interval: number;
  readonly host: HostPort;
  readonly cache: PluginCache;
  readonly supply: ClusterSupply;
  readonly logger: Logger;
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error && !error.message.includes(error.cause.message)
    ? `${error.message}: ${error.cause.message}`
    : error.message;
}

/** The base a plugin folder's manifest claims, if it can be read. */
export function baseIn(dir: string): string | undefined {
  try {
    const base = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).buntime?.base;
    return typeof base === "string" ? base : undefined;
  } catch {
    return undefined;
  }
}

/** Puts `<home>/plugins/<name>/<version>/` in place from the cache (or the registry through it). */
async function installFolder(input: ReconcileInput, plugin: DesiredPlugin): Promise<string> {
  const dest = installedPluginDir(input.home, plugin.name, plugin.version);
  if (existsSync(dest)) return dest;
  const { bytes, outcome } = await input.cache.tarball(plugin);
  const staging = join(input.home, "plugins", `.staging-cluster-${process.pid}-${Date.now().toString(36)}`);
  try {
    await input.supply.unpack(bytes, staging, plugin, input.home);
    mkdirSync(dirname(dest), { recursive: true });
    renameSync(staging, dest);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  input.logger.info(
    `installed ${plugin.name}@${plugin.version} (${outcome === "hit" ? "from the cache" : `from ${input.supply.source}`})`,
  );
  return dest;
}

/** Applies the sources as one batch; when that fails, one at a time in passes so dependencies go first. */
async function applyEach(host: HostPort, sources: PluginSource[]): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  if (sources.length === 0) return failed;
  try {
    await host.apply(sources);
    return failed;
  } catch {
    // one of them cannot start: find which, and let the others through
  }
  let pending = sources;
  for (let pass = 0; pass < sources.length && pending.length > 0; pass++) {
    const next: PluginSource[] = [];
    for (const source of pending) {
      try {
        await host.apply([source]);
        failed.delete(source.pkg.name);
      } catch (error) {
        next.push(source);
        failed.set(source.pkg.name, reasonOf(error));
      }
    }
    if (next.length === pending.length) break;
    pending = next;
  }
  return failed;
}

/** Whether the desired entry needs work on this node now (not running it, or a due retry). */
function needsWork(
  entry: DesiredPlugin,
  status: PluginStatus | undefined,
  input: ReconcileInput,
  now: number,
): boolean {
  const degraded = input.degraded.get(entry.name);
  const running = status?.status === "running" && status.version === entry.version;
  if (running && !degraded?.standIn) return false;
  if (!degraded || degraded.version !== entry.version || degraded.integrity !== entry.integrity) return true;
  return degraded.generation !== input.desired.generation || degraded.retryAt <= now;
}

/**
 * Brings the host to the desired lock: fetches missing tarballs into the cache, installs them in
 * the home, writes the home's lock, loads or replaces what differs and unloads what left. A
 * plugin that cannot load is degraded (a stand-in answers 503 at its base) and retried with
 * backoff; the others go on. Resolves with the degraded plugins after this pass.
 */
export async function reconcile(
  input: ReconcileInput,
): Promise<{ degraded: Map<string, DegradedPlugin>; lock: Lockfile }> {
  const { desired, host, logger } = input;
  const now = Date.now();
  const statuses = new Map(host.list().map((status) => [status.name, status]));
  const degraded = new Map<string, DegradedPlugin>();
  const entries = Object.entries(desired.lock.plugins).map(([name, entry]: [string, LockEntry]) => ({
    name,
    version: entry.version,
    integrity: entry.integrity ?? "",
  }));
  const work = entries.filter((entry) => needsWork(entry, statuses.get(entry.name), input, now));
  for (const entry of entries) {
    const kept = input.degraded.get(entry.name);
    if (kept && !work.includes(entry) && kept.version === entry.version) degraded.set(entry.name, kept);
  }
  const failures = new Map<string, { reason: string; base?: string }>();
  const folders = new Map<string, string>();
  for (const entry of work) {
    try {
      folders.set(entry.name, await installFolder(input, entry));
    } catch (error) {
      const base = statuses.get(entry.name)?.base ?? desired.bases[entry.name];
      failures.set(entry.name, { reason: reasonOf(error), base });
    }
  }
  // the folders' trust is read from the home's lock, so it names the desired versions first; a
  // version whose folder could not be put in place stays out of it (a restart must find every folder)
  const lock = homeLockFor(input, failures);
  writeHomeLock(input.home, lock);
  recordRollback(input.home, input.previous, lock);
  const sources: PluginSource[] = [];
  for (const [name, dir] of folders) {
    try {
      sources.push(await host.readFolder(dir));
    } catch (error) {
      failures.set(name, { reason: reasonOf(error), base: baseIn(dir) });
    }
  }
  for (const [name, reason] of await applyEach(host, sources)) {
    failures.set(name, { reason, base: baseIn(folders.get(name) ?? "") });
  }
  for (const [name, { reason, base }] of failures) {
    const entry = entries.find((candidate) => candidate.name === name) as DesiredPlugin;
    const failure = nextFailure(
      input.degraded.get(name),
      { ...entry, reason, generation: desired.generation },
      input.interval,
      now,
    );
    let standIn = false;
    if (base !== undefined) {
      standIn = await host
        .apply([standInSource({ ...entry, base }, input.node, reason)])
        .then(() => true)
        .catch(() => false);
    }
    degraded.set(name, { ...failure, standIn });
    logger.error(
      `plugin ${entry.name}@${entry.version} failed to load on this node (attempt ${failure.attempts}): ${reason}`,
    );
  }
  await unloadLeft(input, statuses);
  return { degraded, lock };
}

/** The desired lock, except that a plugin whose folder is missing keeps its previous entry (or none). */
function homeLockFor(input: ReconcileInput, failures: ReadonlyMap<string, unknown>): Lockfile {
  const plugins: Record<string, LockEntry> = {};
  for (const [name, entry] of Object.entries(input.desired.lock.plugins)) {
    const previous = input.previous.plugins[name];
    if (!failures.has(name)) plugins[name] = entry;
    else if (previous && existsSync(installedPluginDir(input.home, name, previous.version)))
      plugins[name] = previous;
  }
  return { lockfileVersion: 1, plugins };
}

/** Unloads the plugins this node ran from the previous lock (or stood in for) that the desired lock dropped. */
async function unloadLeft(input: ReconcileInput, statuses: ReadonlyMap<string, PluginStatus>): Promise<void> {
  const managed = new Set([...Object.keys(input.previous.plugins), ...input.degraded.keys()]);
  const left = [...managed].filter((name) => !(name in input.desired.lock.plugins) && statuses.has(name));
  if (left.length === 0) return;
  try {
    await input.host.unload(left);
  } catch (error) {
    input.logger.error(`could not unload ${left.join(", ")}: ${reasonOf(error)}`);
  }
}
