/**
 * Who may reach each app, read from its config (`visibility`, `publicRoutes`) with the sdk's
 * `loadAppConfig` and cached for a short while, so that the guard answers synchronously for
 * apps it has seen lately. A versioned app takes the strictest visibility of its versions.
 *
 * Which app a request reaches is the router's word (`locals.app`); where that app's folders are
 * comes from the `apps` service (`folders`), which knows the router's own `appsDir`.
 */
import { basename } from "node:path";
import { type AppsService, type Logger, loadAppConfig, type ResolvedAppConfig } from "@buntime/sdk";
import { type PathMatcher, pathMatcher } from "./path-patterns.ts";

/** An app's access rules, as the guard uses them. */
export interface AppAccess {
  readonly visibility: ResolvedAppConfig["visibility"];
  /** Paths (relative to the app) open to anyone. */
  readonly isPublicRoute: PathMatcher;
}

const OPEN: AppAccess = { visibility: "public", isPublicRoute: () => true };
const STRICTNESS = { public: 0, protected: 1, internal: 2 } as const;
const MAX_CACHED = 1_000;

/** The rules read through one provider of the `apps` service. */
interface Source {
  readonly apps: AppsService | undefined;
  readonly cache: Map<string, { access: AppAccess; loadedAt: number }>;
  readonly loading: Map<string, Promise<AppAccess>>;
}

/** Caches the access rules of apps, wherever the router keeps them. */
export class AppVisibility {
  #source: Source;

  /** @param apps the `apps` service, when some plugin provides it now */
  constructor(
    private readonly ttl: number,
    private readonly logger: Logger,
    private readonly apps: () => AppsService | undefined,
  ) {
    this.#source = this.#sourceOf(apps());
  }

  #sourceOf(apps: AppsService | undefined): Source {
    return { apps, cache: new Map(), loading: new Map() };
  }

  /** The current source; a router loaded, unloaded or replaced starts with an empty cache. */
  #current(): Source {
    const apps = this.apps();
    if (apps !== this.#source.apps) this.#source = this.#sourceOf(apps);
    return this.#source;
  }

  /**
   * The rules of `app`: cached ones synchronously while fresh, else read (once at a time per app).
   * A fresh entry is trusted without asking which router provides `apps` (a service lookup per
   * request): a router loaded, unloaded or replaced is noticed when the entry next expires, within
   * the same `ttl` that an edited app config takes.
   */
  access(app: string): AppAccess | Promise<AppAccess> {
    const hit = this.#source.cache.get(app);
    if (hit && Date.now() - hit.loadedAt < this.ttl) return hit.access;
    const source = this.#current();
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
    const folders = (await source.apps?.folders(app)) ?? [];
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
