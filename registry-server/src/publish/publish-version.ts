import { createHash } from "node:crypto";
import { BuntimeError } from "@buntime/sdk";
import semver from "semver";
import { claimScope } from "../auth/scopes.ts";
import type { Caller, RegistryContext } from "../context.ts";
import { versionKeyOf } from "../search/version-key.ts";
import { publisherSignatureVerifies } from "../signing/publisher-keys.ts";
import type { Signature, VersionRecord } from "../storage/types.ts";
import { checkBuntimeManifest } from "./buntime-manifest.ts";
import { type PublishChecks, publishChecks } from "./checks.ts";
import { inspectTarball } from "./inspect-tarball.ts";
import { parsePublishBody } from "./publish-body.ts";
import { assertTagName } from "./tags.ts";

/** Fields a client may send in the version document that the registry computes itself. */
const SERVER_FIELDS = ["dist", "_id", "_npmUser", "maintainers", "_attachments", "readme", "deprecated"];

async function checkPublisherSignature(
  ctx: RegistryContext,
  caller: Caller,
  label: string,
  integrity: string,
  signature: Signature | undefined,
): Promise<Signature | null> {
  if (!signature) return null;
  const keys = await ctx.metadata.listPublisherKeys(caller.user.name);
  if (!publisherSignatureVerifies(label, integrity, signature, keys)) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_SIGNATURE_INVALID", {
      package: label,
      keyid: signature.keyid,
    });
  }
  return signature;
}

function mismatch(label: string, field: string, declared: string, actual: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_REGISTRY_INTEGRITY_MISMATCH", {
    package: label,
    field,
    declared,
    actual,
  });
}

/**
 * Validates and stores one published version. Every check runs before anything is written;
 * the tarball is then written and fsynced, and only then is the metadata committed. If the
 * commit fails (the version was published meanwhile, say) the tarball is removed again, so a
 * refused publish leaves no trace.
 */
export async function publishVersion(
  ctx: RegistryContext,
  caller: Caller,
  name: string,
  body: unknown,
): Promise<VersionRecord & { checks: PublishChecks }> {
  const request = parsePublishBody(body, name, ctx.options.limits.maxTarballBytes);
  const label = `${name}@${request.version}`;
  if (semver.valid(request.version) !== request.version) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_PUBLISH_INVALID", {
      details: `${JSON.stringify(request.version)} is not a canonical semver version`,
    });
  }
  if (!versionKeyOf(request.version).exact) {
    // semver compares such a number as a rounded float, inconsistently: no order could place it
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_PUBLISH_INVALID", {
      details: `${request.version} has a numeric prerelease identifier of 2^53 or more, which semver cannot order`,
    });
  }
  for (const tag of request.tags) assertTagName(tag);

  const contents = inspectTarball(request.tarball, label, ctx.options.limits);
  const found = `${String(contents.packageJson.name)}@${String(contents.packageJson.version)}`;
  if (found !== label || request.versionDoc.name !== name || request.versionDoc.version !== request.version) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_PACKAGE_MISMATCH", { found, expected: label });
  }
  if (contents.packageJson.buntime !== undefined) checkBuntimeManifest(contents.packageJson, label);

  const integrity = `sha512-${createHash("sha512").update(request.tarball).digest("base64")}`;
  const shasum = createHash("sha1").update(request.tarball).digest("hex");
  const declared = request.versionDoc.dist;
  if (declared?.integrity !== undefined && declared.integrity !== integrity) {
    throw mismatch(label, "integrity", declared.integrity, integrity);
  }
  if (declared?.shasum !== undefined && declared.shasum !== shasum) {
    throw mismatch(label, "shasum", declared.shasum, shasum);
  }
  const publisherSignature = await checkPublisherSignature(
    ctx,
    caller,
    label,
    integrity,
    declared?.publisherSignature,
  );

  const pkg = await ctx.metadata.getPackage(name);
  if (pkg && !pkg.owners.includes(caller.user.name)) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_NOT_OWNER", { user: caller.user.name, package: name });
  }
  const prerelease = semver.prerelease(request.version) !== null;
  if (prerelease && request.tags.includes("latest")) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_PRERELEASE_LATEST", { package: label });
  }
  if (await ctx.metadata.getVersion(name, request.version)) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_VERSION_EXISTS", {
      package: name,
      version: request.version,
    });
  }

  const manifest: Record<string, unknown> = { ...contents.packageJson };
  for (const field of SERVER_FIELDS) delete manifest[field];
  const record: VersionRecord = {
    name,
    version: request.version,
    manifest,
    integrity,
    shasum,
    size: request.tarball.length,
    unpackedSize: contents.unpackedSize,
    fileCount: contents.fileCount,
    blobKey: `${encodeURIComponent(name)}/${request.version}-${crypto.randomUUID()}.tgz`,
    publishedAt: new Date().toISOString(),
    publisher: caller.user.name,
    deprecated: null,
    readme: contents.readme,
    registrySignature: ctx.signer.sign(name, request.version, integrity),
    publisherSignature,
  };
  const tags = new Set(request.tags);
  // npm's first-publish rule (the first version becomes latest), except for a prerelease
  if (!pkg?.distTags.latest && !prerelease) tags.add("latest");
  if (!pkg) await claimScope(ctx, caller, name);

  try {
    await ctx.blobs.put(record.blobKey, request.tarball);
  } catch (error) {
    await ctx.blobs.delete(record.blobKey).catch(() => {});
    throw new BuntimeError(
      "BUNTIME_ERR_REGISTRY_STORAGE_FAILED",
      { details: `could not store the tarball of ${label}` },
      { cause: error },
    );
  }
  try {
    await ctx.metadata.insertVersion(record, [...tags]);
  } catch (error) {
    await ctx.blobs.delete(record.blobKey);
    throw error;
  }
  return { ...record, checks: publishChecks(contents.packageJson, contents.files) };
}
