/**
 * Packing plugins: a deterministic npm-format tarball of the files npm would publish
 * (`files`, `.npmignore`), after the manifest is validated.
 */
export type { PackedPlugin } from "./pack.ts";
export { packPlugin, tarballFilename } from "./pack.ts";
export { selectFiles } from "./select-files.ts";
