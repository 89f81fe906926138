/**
 * One owner per base: two plugins claiming the same base, or a plugin base taking the path of
 * an installed app, are refused at start and at load, naming both (otherwise the longer or later
 * one would silently take the other's requests).
 */
import { type AppsService, BuntimeError } from "@buntime/sdk";
import type { ServiceRegistry } from "../services/registry.ts";
import type { LoadedPlugin } from "./loaded-plugin.ts";
import { type PluginSource, pluginId } from "./plugin-source.ts";

/**
 * Throws `BUNTIME_ERR_PLUGIN_BASE_TAKEN` when two of `sources`, or one of them and one of
 * `others` (the running plugins that stay), have the same base.
 */
export function checkBaseClaims(sources: readonly PluginSource[], others: readonly LoadedPlugin[]): void {
  const owners = new Map<string, string>();
  for (const plugin of others) {
    if (plugin.manifest.base !== undefined)
      owners.set(plugin.manifest.base, `${plugin.name}@${plugin.version}`);
  }
  for (const { pkg } of sources) {
    const base = pkg.buntime.base;
    if (base === undefined) continue;
    const owner = owners.get(base);
    if (owner !== undefined) {
      throw new BuntimeError("BUNTIME_ERR_PLUGIN_BASE_TAKEN", { plugin: pluginId(pkg), base, owner });
    }
    owners.set(base, pluginId(pkg));
  }
}

/**
 * Throws `BUNTIME_ERR_PLUGIN_BASE_TAKEN` when the first segment of `base` (the base of plugin
 * `plugin`, as `name@version`) is the address of an app installed under the router (`/<app>`),
 * asking the `apps` service; without one (no router loaded yet) there are no apps to shadow.
 */
export async function checkAppShadow(
  plugin: string,
  base: string | undefined,
  services: ServiceRegistry,
): Promise<void> {
  const apps = appsService(services);
  if (apps === undefined || base === undefined || base === "/") return;
  const app = apps.locate(`${base}/`); // the first segment: `/notes/api` shadows app notes too
  if (app === undefined || (await apps.folders(app.name)).length === 0) return;
  throw new BuntimeError("BUNTIME_ERR_PLUGIN_BASE_TAKEN", { plugin, base, owner: `app ${app.name}` });
}

/** `checkAppShadow` for each plugin of a batch loaded into a running kernel, in turn. */
export async function checkAppShadows(
  batch: readonly { source: PluginSource }[],
  services: ServiceRegistry,
): Promise<void> {
  for (const { source } of batch)
    await checkAppShadow(pluginId(source.pkg), source.pkg.buntime.base, services);
}

/** Why `plugin` (name@version) at `base` shadows an app, or undefined when it does not (fail closed). */
function shadowVerdict(plugin: string, base: string | undefined, services: ServiceRegistry) {
  return checkAppShadow(plugin, base, services).then(
    () => undefined,
    // a router that cannot tell counts as a conflict
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
}

/**
 * The app-shadow checks of a start. `begin` (called after each plugin starts) asks the router's
 * `apps` service about every plugin of the start as soon as that service is there, so the
 * router's rescan of an unknown name (it answers one only after a short wait) overlaps the
 * setups still running instead of following them. `drops` then answers the started plugins
 * (`running`, in dependency order) that must stop because their base shadows an installed app,
 * and the plugins that depend on one of them, each with why, dependents first.
 */
export class AppShadowChecks {
  readonly #sources: readonly PluginSource[];
  readonly #services: ServiceRegistry;
  #apps: AppsService | undefined;
  readonly #verdicts = new Map<string, Promise<string | undefined>>();

  constructor(sources: readonly PluginSource[], services: ServiceRegistry) {
    this.#sources = sources;
    this.#services = services;
  }

  /** Starts the checks once an `apps` service is provided; does nothing before, or once started. */
  begin(): void {
    if (this.#apps !== undefined) return;
    this.#apps = appsService(this.#services);
    if (this.#apps === undefined) return;
    for (const { pkg } of this.#sources)
      this.#verdicts.set(pkg.name, shadowVerdict(pluginId(pkg), pkg.buntime.base, this.#services));
  }

  async drops(running: readonly LoadedPlugin[]): Promise<{ plugin: LoadedPlugin; message: string }[]> {
    const dropped = new Map<string, string>();
    await Promise.all(
      running.map(async (plugin) => {
        const verdict =
          this.#verdicts.get(plugin.name) ??
          shadowVerdict(pluginId(plugin), plugin.manifest.base, this.#services);
        const message = await verdict;
        if (message !== undefined) dropped.set(plugin.name, message);
      }),
    );
    for (const plugin of running) {
      const blocker = Object.keys(plugin.manifest.dependencies).find((name) => dropped.has(name));
      if (blocker && !dropped.has(plugin.name))
        dropped.set(plugin.name, `dependency ${blocker} failed to start`);
    }
    const stopping = running.flatMap((plugin) => {
      const message = dropped.get(plugin.name);
      return message === undefined ? [] : [{ plugin, message }];
    });
    return stopping.reverse(); // dependents first
  }
}

/** The router's `apps` service, when one is provided. */
function appsService(services: ServiceRegistry): AppsService | undefined {
  try {
    return services.resolve("apps") as AppsService;
  } catch {
    return undefined; // BUNTIME_ERR_SERVICE_NOT_PROVIDED: no router, so no apps to shadow
  }
}
