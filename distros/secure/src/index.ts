/**
 * @buntime/distro-secure: the secure distribution. The first-party plugins locked only when
 * their publisher signed them, a registry seeded with them signed, and every app in a process
 * sandbox.
 */
export type { SignedRegistry } from "./signed-registry.ts";
export { pluginFolders, startSignedRegistry } from "./signed-registry.ts";
export { SECURE_MANIFEST, startSecureDistribution } from "./start.ts";
