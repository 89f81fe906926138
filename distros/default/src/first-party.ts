import { dirname } from "node:path";

/** The first-party plugins: the default distribution's plugin set. */
export const FIRST_PARTY_PLUGINS = [
  "@buntime/plugin-auth",
  "@buntime/plugin-logs",
  "@buntime/plugin-metrics",
  "@buntime/plugin-proxy",
  "@buntime/plugin-ratelimit",
  "@buntime/plugin-router",
  "@buntime/plugin-storage",
] as const;

/** The folder of each first-party plugin, found the way any package is: by its name. */
export function firstPartyPluginFolders(): string[] {
  return FIRST_PARTY_PLUGINS.map((name) => dirname(Bun.resolveSync(`${name}/package.json`, import.meta.dir)));
}
