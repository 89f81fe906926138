import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { BuntimeError, packageNameSchema, parsePluginPackage } from "@buntime/sdk";
import semver from "semver";
import { integrityOf, shasumOf } from "../tarball/integrity.ts";
import { writeTar } from "../tarball/tar-format.ts";
import { bundledFiles } from "./bundle.ts";
import { checkManifestMedia } from "./media.ts";
import { selectFiles } from "./select-files.ts";
import { packWarnings } from "./warnings.ts";

/** A packed plugin: the `.tgz` bytes and what the registry needs to know about them. */
export interface PackedPlugin {
  name: string;
  version: string;
  /** npm's file name: `auth-1.0.0.tgz`, `acme-auth-1.0.0.tgz` for `@acme/auth`. */
  filename: string;
  tarball: Uint8Array;
  /** `sha512-…` of the tarball. */
  integrity: string;
  shasum: string;
  /** Packed paths, relative to the package folder, sorted. */
  files: string[];
  unpackedSize: number;
  /** The package.json as packed. */
  packageJson: Record<string, unknown>;
  /** Packed files that look like secrets or are source maps, one line each (see `packWarnings`). */
  warnings: string[];
}

/** npm's tarball file name for a package version. */
export function tarballFilename(name: string, version: string): string {
  return `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`;
}

/** Reads `dir`'s package.json, or says the folder is not a package. */
function readPackageJson(root: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_PACK_FAILED",
      { source: root, details: "no readable package.json (is this a plugin folder?)" },
      { cause: error },
    );
  }
}

/** Tars and gzips the picked files of a package whose name and version were checked. */
function packFiles(
  root: string,
  packageJson: Record<string, unknown>,
  name: string,
  version: string,
): PackedPlugin {
  const sources = [
    ...selectFiles(root, packageJson).map((path) => ({ path, source: join(root, path) })),
    ...bundledFiles(root, packageJson),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const files = sources.map(({ path }) => path);
  const inputs = sources.map(({ path, source }) => ({
    path: `package/${path}`,
    data: new Uint8Array(readFileSync(source)),
    mode: statSync(source).mode & 0o100 ? 0o755 : 0o644,
  }));
  const tarball = Bun.gzipSync(writeTar(inputs) as Uint8Array<ArrayBuffer>, { level: 9 });
  return {
    name,
    version,
    filename: tarballFilename(name, version),
    tarball,
    integrity: integrityOf(tarball),
    shasum: shasumOf(tarball),
    files,
    unpackedSize: inputs.reduce((total, input) => total + input.data.length, 0),
    packageJson,
    warnings: packWarnings(files),
  };
}

/**
 * Packs the plugin in `dir` into a deterministic npm-format tarball (sorted entries under
 * `package/`, mtime 0, fixed modes, gzip without a timestamp): the same files give the same
 * bytes. Packages named in `bundleDependencies` are packed under `node_modules/` with what they
 * depend on (see `bundledFiles`), so the tarball's integrity and signatures cover them too.
 * The manifest is validated first: an invalid one throws `BUNTIME_ERR_MANIFEST_INVALID`
 * and packs nothing.
 *
 * @example
 * const packed = packPlugin("plugins/auth");
 * await Bun.write(packed.filename, packed.tarball);
 */
export function packPlugin(dir: string): PackedPlugin {
  const root = resolve(dir);
  const packageJson = readPackageJson(root);
  const source = join(root, "package.json");
  const pkg = parsePluginPackage(packageJson, source);
  const packed = packFiles(root, packageJson, pkg.name, pkg.version);
  // the media as the registry will see them: only packed files count
  const packedFiles = new Set(packed.files);
  const read = (path: string) =>
    packedFiles.has(path) ? new Uint8Array(readFileSync(join(root, path))) : undefined;
  checkManifestMedia(pkg.buntime, read, source);
  return packed;
}

/**
 * Packs any npm package (a library such as `@buntime/sdk`, no plugin manifest) the same
 * deterministic way; its name and version must be valid.
 *
 * @example
 * const packed = packPackage("sdk/contract");
 */
export function packPackage(dir: string): PackedPlugin {
  const root = resolve(dir);
  const packageJson = readPackageJson(root);
  const { name, version } = packageJson;
  if (!packageNameSchema.safeParse(name).success || typeof version !== "string" || !semver.valid(version)) {
    throw new BuntimeError("BUNTIME_ERR_PACK_FAILED", {
      source: root,
      details: "package.json needs an npm package name and a semver version",
    });
  }
  return packFiles(root, packageJson, name as string, version);
}
