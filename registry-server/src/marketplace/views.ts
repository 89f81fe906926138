import { manifestSchema, satisfiesRange } from "@buntime/sdk";
import semver from "semver";
import { type CatalogEntry, type CatalogVersion, listField } from "../catalog/catalog.ts";
import type { RegistryContext } from "../context.ts";
import { publisherSignatureVerifies } from "../signing/publisher-keys.ts";
import type { PublisherKey, VersionRecord } from "../storage/types.ts";
import { mediaLinks } from "./media.ts";

/** True when the version carries a `buntime` manifest, i.e. is a plugin. */
export function isPlugin(record: CatalogVersion): boolean {
  return typeof record.manifest.buntime === "object" && record.manifest.buntime !== null;
}

/** The kernel range a plugin version declares. */
export function kernelRange(record: CatalogVersion): string | undefined {
  const kernel = (record.manifest.buntime as { kernel?: unknown } | undefined)?.kernel;
  return typeof kernel === "string" ? kernel : undefined;
}

/**
 * Whether a kernel range admits `kernel`, remembered per range: a catalogue has thousands of
 * versions but few distinct ranges, and matching a range is the costly part of a search.
 */
export function kernelFit(kernel: string | undefined): (range: string) => boolean {
  const known = new Map<string, boolean>();
  return (range) => {
    if (kernel === undefined) return true;
    let fits = known.get(range);
    if (fits === undefined) {
      fits = satisfiesRange(kernel, range);
      known.set(range, fits);
    }
    return fits;
  };
}

/**
 * The answers of {@link newestCompatible} per version list and kernel: the catalogue keeps a
 * package's version list (the same array) until the package changes, so a search repeats no
 * semver work for unchanged packages.
 */
const newestByKernel = new WeakMap<readonly CatalogVersion[], Map<string, CatalogVersion | undefined>>();

/** The highest live plugin version that runs on `kernel` (any kernel when undefined). */
export function newestCompatible(
  entry: CatalogEntry,
  kernel: string | undefined,
  fits: (range: string) => boolean = kernelFit(kernel),
): CatalogVersion | undefined {
  if (kernel === undefined) {
    if (isPlugin(entry.latest)) return entry.latest;
    return entry.versions.filter(isPlugin).sort((a, b) => semver.rcompare(a.version, b.version))[0];
  }
  let known = newestByKernel.get(entry.versions);
  if (!known) {
    known = new Map();
    newestByKernel.set(entry.versions, known);
  }
  if (known.has(kernel)) return known.get(kernel);
  const candidates = entry.versions.filter((v) => {
    if (!isPlugin(v)) return false;
    const range = kernelRange(v);
    return range !== undefined && fits(range);
  });
  const newest = candidates.sort((a, b) => semver.rcompare(a.version, b.version))[0];
  known.set(kernel, newest);
  return newest;
}

/** The summary card of a plugin in lists. */
export function pluginSummary(entry: CatalogEntry, version: CatalogVersion) {
  const parsed = manifestSchema.safeParse(version.manifest.buntime);
  const manifest = (parsed.success ? parsed.data : version.manifest.buntime) as { permissions?: unknown };
  return {
    name: entry.pkg.name,
    version: version.version,
    description: String(version.manifest.description ?? ""),
    keywords: listField(version.manifest, "keywords"),
    categories: listField(version.manifest, "categories"),
    kernel: kernelRange(version) ?? null,
    downloads: entry.downloads,
    updatedAt: entry.pkg.modifiedAt,
    publisher: version.publisher,
    deprecated: version.deprecated,
    signed: { registry: true, publisher: version.publisherSignature !== null },
    permissions: manifest.permissions ?? null,
    icon: parsed.success ? mediaLinks(version, parsed.data).icon : null,
  };
}

/** Signature status of one version, checked now against the keys the registry holds. */
export function signatureStatus(ctx: RegistryContext, record: VersionRecord, keys: PublisherKey[]) {
  const reg = record.registrySignature;
  const pub = record.publisherSignature;
  const label = `${record.name}@${record.version}`;
  return {
    registry: {
      keyid: reg.keyid,
      verified: ctx.signer.verify(record.name, record.version, record.integrity, reg),
    },
    publisher: pub
      ? {
          keyid: pub.keyid,
          publisher: record.publisher,
          verified: publisherSignatureVerifies(label, record.integrity, pub, keys),
        }
      : null,
  };
}

/** A plugin manifest with the sdk's defaults applied, or the raw value when it no longer parses. */
export function resolvedManifest(record: CatalogVersion): unknown {
  const parsed = manifestSchema.safeParse(record.manifest.buntime);
  return parsed.success ? parsed.data : record.manifest.buntime;
}
