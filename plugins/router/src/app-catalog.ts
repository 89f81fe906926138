import { type FSWatcher, watch } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { isCandidate, type Logger } from "@buntime/sdk";
import semver from "semver";

/** Unknown app names rescan the folder at most this often, so probing names costs little. */
const MISS_RESCAN_MS = 250;
/** How often a folder that cannot be watched is read again. */
const UNWATCHED_RESCAN_MS = 1000;

/** One installed version of an app. */
export interface InstalledApp {
  readonly name: string;
  /** The folder's version when versioned (`<name>/<version>/`), else undefined. */
  readonly version: string | undefined;
  readonly dir: string;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** The file in `<apps>/<name>/` naming the version plain `/<name>/` reaches (written by deployments). */
export const ACTIVE_FILE = ".active";

/** The version `<dir>/.active` names, when it is one of `installed`; otherwise undefined (highest wins). */
async function activeOf(dir: string, installed: readonly InstalledApp[]): Promise<InstalledApp | undefined> {
  const text = await readFile(join(dir, ACTIVE_FILE), "utf8").catch(() => undefined);
  const version = text?.trim();
  return version === undefined ? undefined : installed.find((app) => app.version === version);
}

/**
 * What is installed under the apps folder: `<apps>/<name>/` (one unversioned app) or
 * `<apps>/<name>/<version>/` (several versions). It rescans after the folder changes, so apps
 * can be added, upgraded and removed while the kernel runs.
 */
export class AppCatalog {
  readonly #appsDir: string;
  readonly #logger: Logger;
  #apps = new Map<string, InstalledApp[]>();
  /** Per name, the version an `.active` file picked for requests without a version. */
  #active = new Map<string, InstalledApp>();
  #stale = true;
  /** When the last finished scan began: what it saw is true of any question asked before then. */
  #freshAsOf = Number.NEGATIVE_INFINITY;
  /** When the last scan an unknown name asked for began (those are the ones held to MISS_RESCAN_MS). */
  #missScanAt = Number.NEGATIVE_INFINITY;
  #scanning: Promise<void> | undefined;
  #watcher: FSWatcher | undefined;
  #poll: ReturnType<typeof setInterval> | undefined;

  readonly #onChange: () => void;

  /** @param onChange called whenever a rescan may have changed what is installed */
  constructor(appsDir: string, logger: Logger, onChange: () => void) {
    this.#appsDir = appsDir;
    this.#logger = logger;
    this.#onChange = onChange;
  }

  /**
   * Watches the apps folder, so that changes (upgrades, removals) are seen on the next request;
   * `changed` hears the name of each path that changed (relative to the folder), when known.
   */
  watch(changed?: (path: string | null) => void): void {
    try {
      this.#watcher = watch(this.#appsDir, { recursive: true }, (_event, path) => {
        this.#stale = true;
        changed?.(path);
      });
    } catch (error) {
      this.#logger.warn(`cannot watch ${this.#appsDir}; apps are rescanned every ${UNWATCHED_RESCAN_MS} ms`, {
        error,
      });
      // without events, deploys and switches (a new .active) are still seen within a second
      this.#poll = setInterval(() => {
        this.#stale = true;
        changed?.(null);
      }, UNWATCHED_RESCAN_MS);
      this.#poll.unref();
    }
  }

  close(): void {
    this.#watcher?.close();
    if (this.#poll) clearInterval(this.#poll);
  }

  /** What `find` would answer, when it can be told without looking at the folder again. */
  known(name: string, range: string | undefined): InstalledApp | undefined {
    return this.#stale ? undefined : this.#pick(name, range);
  }

  /**
   * The highest installed version of `name` that satisfies `range`; without a range, the active
   * version (named by `<name>/.active`), else the highest.
   * "Not installed" is only answered from a scan begun after the question, so a folder copied in
   * just before it is found even before the watcher reports it. Scans for unknown names run at
   * most every MISS_RESCAN_MS, however many names are probed; questions asked together (the
   * kernel's start asks about every plugin's base) share one scan.
   */
  async find(name: string, range: string | undefined): Promise<InstalledApp | undefined> {
    const asked = performance.now();
    if (this.#stale) await this.#rescan();
    const found = this.#pick(name, range);
    if (found) return found;
    while (this.#freshAsOf < asked) {
      if (this.#scanning) {
        await this.#scanning;
        continue;
      }
      const wait = this.#missScanAt + MISS_RESCAN_MS - performance.now();
      if (wait > 0) {
        await Bun.sleep(wait);
        continue;
      }
      this.#missScanAt = performance.now();
      await this.#rescan();
    }
    return this.#pick(name, range);
  }

  /** Every installed version of `name`, highest first; none for an unknown name (as `find` looks). */
  async versions(name: string): Promise<readonly InstalledApp[]> {
    return (await this.find(name, undefined)) ? (this.#apps.get(name) ?? []) : [];
  }

  #pick(name: string, range: string | undefined): InstalledApp | undefined {
    const versions = this.#apps.get(name) ?? [];
    if (range === undefined) return this.#active.get(name) ?? versions[0];
    return versions.find((app) => app.version !== undefined && isCandidate(app.version, range));
  }

  #rescan(): Promise<void> {
    this.#scanning ??= this.#scan().finally(() => {
      this.#scanning = undefined;
    });
    return this.#scanning;
  }

  async #scan(): Promise<void> {
    this.#stale = false;
    const began = performance.now();
    const apps = new Map<string, InstalledApp[]>();
    const active = new Map<string, InstalledApp>();
    const names = await readdir(this.#appsDir).catch(() => []);
    for (const name of names) {
      const dir = join(this.#appsDir, name);
      if (name.startsWith(".") || !(await isDirectory(dir))) continue;
      const versions = (await readdir(dir)).filter((entry) => semver.valid(entry) !== null);
      const installed: InstalledApp[] = [];
      for (const version of versions) {
        if (await isDirectory(join(dir, version))) installed.push({ name, version, dir: join(dir, version) });
      }
      installed.sort((a, b) => semver.rcompare(a.version as string, b.version as string));
      apps.set(name, installed.length > 0 ? installed : [{ name, version: undefined, dir }]);
      const picked = await activeOf(dir, installed);
      if (picked) active.set(name, picked);
    }
    this.#apps = apps;
    this.#active = active;
    this.#freshAsOf = began;
    this.#onChange();
  }
}
