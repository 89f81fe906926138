/**
 * @buntime/distro-default: the default distribution (`npm start`): the first-party plugins and a
 * registry seeded with them, beside a kernel.
 */
export { FIRST_PARTY_PLUGINS, firstPartyPluginFolders } from "./first-party.ts";
export type { SeededRegistry } from "./seeded-registry.ts";
export { startSeededRegistry } from "./seeded-registry.ts";
export { DEFAULT_MANIFEST, startDefaultDistribution } from "./start.ts";
