/**
 * Tarballs in npm's format, on the `tar` library: deterministic writing, reading, one safety
 * policy for every reader of package tarballs (the registry's publish checks and extraction
 * alike), safe extraction that leaves nothing behind when it refuses, and sha512 integrity.
 */
export type { ExtractedTarball, ExtractOptions } from "./extract.ts";
export { extractTarball } from "./extract.ts";
export { integrityOf, matchesIntegrity, shasumOf } from "./integrity.ts";
export type { TarballLimits } from "./policy.ts";
export type { PackageEntry, PackageTarball, ReadTarballOptions } from "./read.ts";
export { readTarball } from "./read.ts";
export { readTar } from "./read-tar.ts";
export type { TarEntry, TarHeader, TarInput } from "./tar-format.ts";
export { writeTar } from "./tar-format.ts";
