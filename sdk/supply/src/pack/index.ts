/**
 * Packing plugins: a deterministic npm-format tarball of the files npm would publish
 * (npm's rules: `files`, nested `.npmignore`, always- and never-packed files), after the manifest is validated.
 */
export { requireLentDependencies, requireResolvableDependencies } from "./lent-only.ts";
export { checkManifestMedia, type ImageType, MEDIA_LIMITS, type PackageImage, sniffImage } from "./media.ts";
export type { PackedPlugin } from "./pack.ts";
export { packPackage, packPlugin, tarballFilename } from "./pack.ts";
export type { PackFields } from "./select-files.ts";
export { selectFiles } from "./select-files.ts";
export { packWarnings } from "./warnings.ts";
