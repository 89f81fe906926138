import { dirname } from "node:path";

/** The first-party plugins, which the default distribution's registry is seeded with (buntime.distro.json names what runs). */
export const FIRST_PARTY_PLUGINS = [
  "@buntime/plugin-auth",
  "@buntime/plugin-database",
  "@buntime/plugin-deployments",
  "@buntime/plugin-logs",
  "@buntime/plugin-marketplace",
  "@buntime/plugin-metrics",
  "@buntime/plugin-proxy",
  "@buntime/plugin-ratelimit",
  "@buntime/plugin-router",
  "@buntime/plugin-storage",
  "@buntime/shell",
] as const;

/** The folder of each first-party plugin, found the way any package is: by its name; packed to seed the registry. */
export function firstPartyPluginFolders(): string[] {
  return FIRST_PARTY_PLUGINS.map((name) => dirname(Bun.resolveSync(`${name}/package.json`, import.meta.dir)));
}

/**
 * The packages a plugin or app author imports, also seeded into the registry so a plugin made
 * with `buntime plugin create` anywhere installs from it: the contract, and the kernel for its
 * `@buntime/kernel/testing` harness (the one the scaffolded test uses; see docs/writing-a-plugin.md),
 * the keyval client apps use (`@buntime/keyval`), and the `buntime` CLI with what it needs
 * (`@buntime/cli`, `@buntime/supply`, `@buntime/distro`), so `npx`/`npm install -g` of the CLI
 * works against this registry outside a checkout (docs/cli.md).
 */
export const AUTHOR_PACKAGES = [
  "@buntime/sdk",
  "@buntime/kernel",
  "@buntime/keyval",
  "@buntime/supply",
  "@buntime/distro",
  "@buntime/cli",
] as const;

/** The folder of each author package, found by its name like the plugins. */
export function authorPackageFolders(): string[] {
  return AUTHOR_PACKAGES.map((name) => dirname(Bun.resolveSync(`${name}/package.json`, import.meta.dir)));
}
