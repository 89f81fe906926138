/**
 * @buntime/distro-default: the default distribution (`npm start`): a registry seeded with the
 * first-party plugins, `buntime.distro.json` locked and built from it, and a kernel on the build.
 */
export { FIRST_PARTY_PLUGINS, firstPartyPluginFolders } from "./first-party.ts";
export type { SeededRegistry } from "./seeded-registry.ts";
export { startSeededRegistry } from "./seeded-registry.ts";
export { DEFAULT_MANIFEST, startDefaultDistribution } from "./start.ts";
