/**
 * Tarballs in npm's format: deterministic writing, reading, safe extraction that refuses any
 * entry landing outside its folder, and sha512 integrity.
 */
export type { ExtractedTarball, ExtractOptions } from "./extract.ts";
export { extractTarball } from "./extract.ts";
export { integrityOf, matchesIntegrity, shasumOf } from "./integrity.ts";
export type { TarEntry, TarInput } from "./tar-format.ts";
export { readTar, writeTar } from "./tar-format.ts";
