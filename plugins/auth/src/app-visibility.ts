/**
 * Who may reach each app, read from its config (`visibility`, `publicRoutes`) with the sdk's
 * `loadAppConfig` and cached for a short while, so that the guard answers synchronously for
 * apps it has seen lately. A versioned app takes the strictest visibility of its versions.
 *
 * Which app a path addresses, and where that app's folders are, come from the router's `apps`
 * service when it offers them (`locate`, `folders`): the router knows its own `appsDir` and the
 * homepage it serves at `/`. Without the router, paths read as `/:app/*` and apps as folders of
 * the kernel's apps folder, as the router would find them by default.
 */
import { readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { type Logger, loadAppConfig, type ResolvedAppConfig } from "@buntime/sdk";
import { type PathMatcher, pathMatcher } from "./path-patterns.ts";

/** An app's access rules, as the guard uses them. */
export interface AppAccess {
  readonly visibility: ResolvedAppConfig["visibility"];
  /** Paths (relative to the app) open to anyone. */
  readonly isPublicRoute: PathMatcher;
}

/** The app a request path addresses, and the path the app sees. */
export interface AppTarget {
  readonly app: string;
  readonly rest: string;
}

/** What auth asks the router's `apps` service (see `AppsService` in @buntime/plugin-router). */
export interface AppDirectory {
  locate(pathname: string): { readonly name: string; readonly rest: string } | undefined;
  folders(name: string): Promise<readonly string[]>;
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

/** The folders of app `app` under `appsDir`, read the way the router reads its own by default. */
async function foldersIn(appsDir: string, app: string): Promise<string[]> {
  const dir = join(appsDir, app);
  if (!(await isDir(dir))) return []; // not an app: a plugin's path, or a 404 to come
  if (await hasConfigFile(dir)) return [dir];
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory() && VERSION_FOLDER.test(entry.name))
    .map((entry) => join(dir, entry.name));
}

/** The rules of one source of apps (the router's service, or the kernel's apps folder). */
interface Source {
  readonly directory: AppDirectory | undefined;
  readonly cache: Map<string, { access: AppAccess; loadedAt: number }>;
  readonly loading: Map<string, Promise<AppAccess>>;
}

/** Caches the access rules of apps, wherever the router keeps them. */
export class AppVisibility {
  #source: Source;

  /**
   * @param fallbackAppsDir where apps are when no router tells (the kernel's apps folder)
   * @param directory the router's `apps` service when it is loaded and can locate apps
   */
  constructor(
    private readonly fallbackAppsDir: string,
    private readonly ttl: number,
    private readonly logger: Logger,
    private readonly directory: () => AppDirectory | undefined,
  ) {
    this.#source = this.#sourceOf(directory());
  }

  #sourceOf(directory: AppDirectory | undefined): Source {
    return { directory, cache: new Map(), loading: new Map() };
  }

  /** The current source; a router loaded, unloaded or replaced starts with an empty cache. */
  #current(): Source {
    const directory = this.directory();
    if (directory !== this.#source.directory) this.#source = this.#sourceOf(directory);
    return this.#source;
  }

  /** The app `pathname` addresses (the homepage at `/` too, when the router serves one). */
  target(pathname: string): AppTarget | undefined {
    const { directory } = this.#current();
    if (!directory) return appOfPath(pathname);
    const found = directory.locate(pathname);
    return found && { app: found.name, rest: found.rest };
  }

  /** The rules of `app`: cached ones synchronously while fresh, else read (once at a time per app). */
  access(app: string): AppAccess | Promise<AppAccess> {
    const source = this.#current();
    const hit = source.cache.get(app);
    if (hit && Date.now() - hit.loadedAt < this.ttl) return hit.access;
    let pending = source.loading.get(app);
    if (!pending) {
      pending = this.read(source, app).finally(() => source.loading.delete(app));
      source.loading.set(app, pending);
    }
    return pending;
  }

  private async read(source: Source, app: string): Promise<AppAccess> {
    const access = await this.readFolders(source, app).catch((error: unknown) => {
      this.logger.warn(`app ${app} has an invalid config; treating it as protected`, { error });
      return { visibility: "protected", isPublicRoute: () => false } satisfies AppAccess;
    });
    if (source.cache.size >= MAX_CACHED) source.cache.clear();
    source.cache.set(app, { access, loadedAt: Date.now() });
    return access;
  }

  private async readFolders(source: Source, app: string): Promise<AppAccess> {
    const folders = source.directory
      ? await source.directory.folders(app)
      : await foldersIn(this.fallbackAppsDir, app);
    const configs: ResolvedAppConfig[] = [];
    for (const folder of folders) {
      const version = basename(folder);
      configs.push(await loadAppConfig(folder, version === app ? app : `${app}@${version}`));
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
