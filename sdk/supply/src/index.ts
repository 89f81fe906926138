/**
 * @buntime/supply: the supply chain shared by the CLI and the registry: deterministic packing,
 * one tarball stack on the `tar` library with one safety policy, publisher and registry
 * signatures, and a registry client.
 */
export type { ImageType, PackageImage, PackedPlugin, PackFields } from "./pack/index.ts";
export {
  checkManifestMedia,
  MEDIA_LIMITS,
  packPackage,
  packPlugin,
  packWarnings,
  requireLentDependencies,
  requireResolvableDependencies,
  selectFiles,
  sniffImage,
  tarballFilename,
} from "./pack/index.ts";
export type {
  CachedPackument,
  DownloadProgress,
  NpmrcOptions,
  NpmrcToken,
  Packument,
  PackumentCache,
  PluginSummary,
  PublishOptions,
  RegistryClient,
  RegistryClientOptions,
  VersionDist,
  VersionDocument,
} from "./registry-client/index.ts";
export {
  createRegistryClient,
  npmrcFiles,
  npmrcToken,
  packagePath,
  registryKeys,
  resolveVersion,
} from "./registry-client/index.ts";
export type {
  KeyPins,
  PublisherKeyPair,
  Signature,
  TrustedKey,
  TrustedRegistryKeys,
} from "./signing/index.ts";
export {
  generatePublisherKeys,
  keyIdOf,
  readPrivateKey,
  readPublicKey,
  readPublisherKey,
  signIntegrity,
  signRegistryVersion,
  spkiOf,
  trustRegistryKeys,
  verifyPublisherSignature,
  verifyRegistrySignature,
} from "./signing/index.ts";
export type {
  ExtractedTarball,
  ExtractOptions,
  PackageEntry,
  PackageTarball,
  ReadTarballOptions,
  TarballLimits,
  TarEntry,
  TarHeader,
  TarInput,
} from "./tarball/index.ts";
export {
  extractTarball,
  integrityOf,
  matchesIntegrity,
  readTar,
  readTarball,
  shasumOf,
  writeTar,
} from "./tarball/index.ts";
