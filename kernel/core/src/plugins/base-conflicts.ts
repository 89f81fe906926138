/**
 * One owner per base: two plugins claiming the same base, or a plugin base taking the path of
 * an installed app, are refused at load, naming both (otherwise the longer or later one would
 * silently take the other's requests).
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
 * Throws `BUNTIME_ERR_PLUGIN_BASE_TAKEN` when the first segment of the base of `source` is the
 * address of an app installed under the router (`/<app>`), asking the `apps` service;
 * without one (no router loaded yet) there are no apps to shadow.
 */
export async function checkAppShadow(source: PluginSource, services: ServiceRegistry): Promise<void> {
  const base = source.pkg.buntime.base;
  const apps = appsService(services);
  if (apps === undefined || base === undefined || base === "/") return;
  const app = apps.locate(`${base}/`); // the first segment: `/notes/api` shadows app notes too
  if (app === undefined || (await apps.folders(app.name)).length === 0) return;
  throw new BuntimeError("BUNTIME_ERR_PLUGIN_BASE_TAKEN", {
    plugin: pluginId(source.pkg),
    base,
    owner: `app ${app.name}`,
  });
}

/** The router's `apps` service, when one is provided. */
function appsService(services: ServiceRegistry): AppsService | undefined {
  try {
    return services.resolve("apps") as AppsService;
  } catch {
    return undefined; // BUNTIME_ERR_SERVICE_NOT_PROVIDED: no router, so no apps to shadow
  }
}
