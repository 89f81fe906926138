import type { PackageRecord, VersionRecord } from "../storage/types.ts";
import { tarballFileName } from "./names.ts";

/** The fields of a version that npm's abbreviated ("corgi") packument keeps. */
export const ABBREVIATED_FIELDS = [
  "name",
  "version",
  "deprecated",
  "dependencies",
  "optionalDependencies",
  "devDependencies",
  "bundleDependencies",
  "bundledDependencies",
  "peerDependencies",
  "peerDependenciesMeta",
  "acceptDependencies",
  "bin",
  "directories",
  "engines",
  "cpu",
  "os",
  "libc",
  "funding",
  "license",
  "_hasShrinkwrap",
  "hasInstallScript",
  "buntime",
] as const;

/** A package with its live versions, ready to render. */
export interface PackageView {
  pkg: PackageRecord;
  versions: VersionRecord[];
}

function distOf(record: VersionRecord, baseUrl: string): Record<string, unknown> {
  const dist: Record<string, unknown> = {
    integrity: record.integrity,
    shasum: record.shasum,
    tarball: `${baseUrl}/${record.name}/-/${tarballFileName(record.name, record.version)}`,
    fileCount: record.fileCount,
    unpackedSize: record.unpackedSize,
    signatures: [record.registrySignature],
  };
  if (record.publisherSignature) {
    dist.publisherSignatures = [{ ...record.publisherSignature, publisher: record.publisher }];
  }
  return dist;
}

function hasInstallScript(manifest: Record<string, unknown>): boolean {
  const scripts = (manifest.scripts ?? {}) as Record<string, unknown>;
  return ["preinstall", "install", "postinstall"].some((name) => typeof scripts[name] === "string");
}

/** One version as the full packument shows it. */
export function fullVersion(
  record: VersionRecord,
  pkg: PackageRecord,
  baseUrl: string,
): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    ...record.manifest,
    name: record.name,
    version: record.version,
    _id: `${record.name}@${record.version}`,
    _npmUser: { name: record.publisher },
    maintainers: pkg.owners.map((name) => ({ name })),
    dist: distOf(record, baseUrl),
  };
  if (record.deprecated) doc.deprecated = record.deprecated;
  else delete doc.deprecated;
  return doc;
}

/** The full packument (`GET /:name`). */
export function fullPackument({ pkg, versions }: PackageView, baseUrl: string): Record<string, unknown> {
  const latest = versions.find((v) => v.version === pkg.distTags.latest) ?? versions.at(-1);
  const manifest = latest?.manifest ?? {};
  const time: Record<string, string> = { created: pkg.createdAt, modified: pkg.modifiedAt };
  for (const v of versions) time[v.version] = v.publishedAt;
  return {
    _id: pkg.name,
    _rev: `1-${Bun.hash(pkg.modifiedAt).toString(16)}`,
    name: pkg.name,
    description: manifest.description,
    "dist-tags": pkg.distTags,
    versions: Object.fromEntries(versions.map((v) => [v.version, fullVersion(v, pkg, baseUrl)])),
    time,
    maintainers: pkg.owners.map((name) => ({ name })),
    keywords: manifest.keywords,
    license: manifest.license,
    homepage: manifest.homepage,
    repository: manifest.repository,
    readme: latest?.readme ?? "",
  };
}

/** The abbreviated packument (`Accept: application/vnd.npm.install-v1+json`). */
export function abbreviatedPackument(
  { pkg, versions }: PackageView,
  baseUrl: string,
): Record<string, unknown> {
  return {
    name: pkg.name,
    modified: pkg.modifiedAt,
    "dist-tags": pkg.distTags,
    versions: Object.fromEntries(
      versions.map((record) => {
        const doc: Record<string, unknown> = {};
        for (const field of ABBREVIATED_FIELDS) {
          if (record.manifest[field] !== undefined) doc[field] = record.manifest[field];
        }
        doc.name = record.name;
        doc.version = record.version;
        if (record.deprecated) doc.deprecated = record.deprecated;
        else delete doc.deprecated;
        if (hasInstallScript(record.manifest)) doc.hasInstallScript = true;
        doc.dist = distOf(record, baseUrl);
        return [record.version, doc];
      }),
    ),
  };
}
