import { manifestSchema } from "@buntime/sdk";
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
