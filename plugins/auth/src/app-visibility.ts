/**
 * Who may reach each app, read from its config (`visibility`, `publicRoutes`) with the sdk's
 * `loadAppConfig` and cached for a short while, so that the guard answers synchronously for
 * apps it has seen lately. A versioned app takes the strictest visibility of its versions.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Logger, loadAppConfig, type ResolvedAppConfig } from "@buntime/sdk";
import { type PathMatcher, pathMatcher } from "./path-patterns.ts";

/** An app's access rules, as the guard uses them. */
export interface AppAccess {
  readonly visibility: ResolvedAppConfig["visibility"];
  /** Paths (relative to the app) open to anyone. */
  readonly isPublicRoute: PathMatcher;
}

const OPEN: AppAccess = { visibility: "public", isPublicRoute: () => true };
const STRICTNESS = { public: 0, protected: 1, internal: 2 } as const;
const VERSION_FOLDER = /^\d+\.\d+\.\d+(?:[-+].*)?$/;
const MAX_CACHED = 1_000;

async function isDir(path: string): Promise<boolean> {
  return stat(path).then(
    (found) => found.isDirectory(),
    () => false,
  );
}

async function hasConfigFile(dir: string): Promise<boolean> {
  for (const name of ["buntime.json", "package.json", "index.ts", "index.js", "index.html"]) {
    if (
      await stat(join(dir, name)).then(
        () => true,
        () => false,
      )
    )
      return true;
  }
  return false;
}

/** Caches the access rules of the apps in `appsDir`. */
export class AppVisibility {
  private readonly cache = new Map<string, { access: AppAccess; loadedAt: number }>();
  private readonly loading = new Map<string, Promise<AppAccess>>();

  constructor(
    private readonly appsDir: string,
    private readonly ttl: number,
    private readonly logger: Logger,
  ) {}

  /** The cached rules of `app` when fresh, else undefined (call `load`). */
  cached(app: string): AppAccess | undefined {
    const hit = this.cache.get(app);
    return hit && Date.now() - hit.loadedAt < this.ttl ? hit.access : undefined;
  }

  /** Reads the rules of `app` (once at a time per app). */
  load(app: string): Promise<AppAccess> {
    let pending = this.loading.get(app);
    if (!pending) {
      pending = this.read(app).finally(() => this.loading.delete(app));
      this.loading.set(app, pending);
    }
    return pending;
  }

  private async read(app: string): Promise<AppAccess> {
    const access = await this.readFolder(app).catch((error: unknown) => {
      this.logger.warn(`app ${app} has an invalid config; treating it as protected`, { error });
      return { visibility: "protected", isPublicRoute: () => false } satisfies AppAccess;
    });
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(app, { access, loadedAt: Date.now() });
    return access;
  }

  private async readFolder(app: string): Promise<AppAccess> {
    const dir = join(this.appsDir, app);
    if (!(await isDir(dir))) return OPEN; // not an app: a plugin's path, or a 404 to come
    const configs: ResolvedAppConfig[] = [];
    if (await hasConfigFile(dir)) {
      configs.push(await loadAppConfig(dir, app));
    } else {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (entry.isDirectory() && VERSION_FOLDER.test(entry.name)) {
          configs.push(await loadAppConfig(join(dir, entry.name), `${app}@${entry.name}`));
        }
      }
    }
    if (configs.length === 0) return OPEN;
    const strictest = configs.reduce((a, b) => (STRICTNESS[b.visibility] > STRICTNESS[a.visibility] ? b : a));
    const routes = configs
      .filter((config) => config.visibility === strictest.visibility)
      .flatMap((config) => config.publicRoutes);
    return { visibility: strictest.visibility, isPublicRoute: pathMatcher(routes) };
  }
}

/** Splits `/:app[@version]/rest` into the app's name and the path the app sees. */
export function appOfPath(pathname: string): { app: string; rest: string } | undefined {
  const slash = pathname.indexOf("/", 1);
  const segment = slash === -1 ? pathname.slice(1) : pathname.slice(1, slash);
  if (segment.length === 0) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  const at = name.indexOf("@", 1);
  if (at !== -1) name = name.slice(0, at);
  if (name.startsWith(".") || name.includes("/") || name.includes("\\")) return undefined;
  return { app: name, rest: slash === -1 ? "/" : pathname.slice(slash) };
}
