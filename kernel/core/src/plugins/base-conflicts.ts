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

/**
 * At start: the started plugins (`running`, in dependency order) that must stop because their
 * base shadows an installed app, and the plugins that depend on one of them, each with why,
 * dependents first. Run once every plugin has started, so the router's `apps` service is there
 * whatever the order; the checks run together, as the router's catalog answers an unknown name
 * only after a short rescan.
 */
export async function appShadowDrops(
  running: readonly LoadedPlugin[],
  services: ServiceRegistry,
): Promise<{ plugin: LoadedPlugin; message: string }[]> {
  const dropped = new Map<string, string>();
  await Promise.all(
    running.map((plugin) =>
      checkAppShadow(pluginId(plugin), plugin.manifest.base, services).catch((error: unknown) => {
        // fail closed: a router that cannot tell counts as a conflict
        dropped.set(plugin.name, error instanceof Error ? error.message : String(error));
      }),
    ),
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

/** The router's `apps` service, when one is provided. */
function appsService(services: ServiceRegistry): AppsService | undefined {
  try {
    return services.resolve("apps") as AppsService;
  } catch {
    return undefined; // BUNTIME_ERR_SERVICE_NOT_PROVIDED: no router, so no apps to shadow
  }
}
