import { BuntimeError } from "@buntime/sdk";
import semver from "semver";
import { requireOwner } from "../auth/identify.ts";
import type { Caller, RegistryContext } from "../context.ts";
import { loadPackage } from "../packument/load.ts";
import type { VersionRecord } from "../storage/types.ts";

function refused(name: string, details: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_REGISTRY_CHANGE_REFUSED", { package: name, details });
}

/** Points `latest` at the highest remaining release when the tag was removed. */
async function repairLatest(ctx: RegistryContext, name: string): Promise<void> {
  const pkg = await ctx.metadata.getPackage(name);
  if (!pkg || pkg.distTags.latest) return;
  const versions = (await ctx.metadata.listVersions(name)).map((v) => v.version);
  const best = semver.rsort(versions.filter((v) => !semver.prerelease(v)))[0] ?? semver.rsort(versions)[0];
  if (best) await ctx.metadata.setDistTag(name, "latest", best);
}

/** Unpublishes versions: metadata first, then their tarballs. */
export async function removeVersions(ctx: RegistryContext, versions: VersionRecord[]): Promise<void> {
  for (const record of versions) {
    await ctx.metadata.unpublishVersion(record.name, record.version);
    await ctx.blobs.delete(record.blobKey);
  }
  const first = versions[0];
  if (first) await repairLatest(ctx, first.name);
}

function ownersOf(body: Record<string, unknown>): string[] | undefined {
  if (!Array.isArray(body.maintainers)) return undefined;
  return body.maintainers.map((m) => String((m as { name?: unknown })?.name ?? ""));
}

/** The new owner list when it differs from `current` and names only existing users. */
async function checkedOwners(
  ctx: RegistryContext,
  name: string,
  current: string[],
  owners: string[] | undefined,
): Promise<string[] | undefined> {
  if (!owners || owners.join() === current.join()) return undefined;
  if (owners.length === 0) throw refused(name, "a package needs at least one owner");
  for (const owner of owners) {
    if (!(await ctx.metadata.getUser(owner))) throw refused(name, `no user named ${JSON.stringify(owner)}`);
  }
  return [...new Set(owners)];
}

/**
 * Applies the edits npm makes by PUTting a packument back: `deprecated` messages
 * (`npm deprecate`), maintainers (`npm owner`, which sends only `maintainers`) and, on `/-rev/`
 * URLs, versions left out (`npm unpublish name@version`). Everything else in a version is
 * immutable and ignored. Every change is checked before the first one is written.
 */
export async function applyPackageUpdate(
  ctx: RegistryContext,
  caller: Caller,
  name: string,
  body: Record<string, unknown> | null,
  allowRemoval: boolean,
): Promise<void> {
  if (!body || typeof body !== "object") throw refused(name, "the body must be a packument");
  const docName = body.name ?? body._id;
  if (docName !== undefined && docName !== name) throw refused(name, `the body names ${String(docName)}`);
  const { pkg, versions } = await loadPackage(ctx, name);
  requireOwner(caller, pkg.owners, name);
  const owners = await checkedOwners(ctx, name, pkg.owners, ownersOf(body));
  const hasVersions = typeof body.versions === "object" && body.versions !== null;
  if (!hasVersions && !ownersOf(body)) throw refused(name, "the body must hold versions or maintainers");
  const sent = (hasVersions ? body.versions : {}) as Record<string, { deprecated?: unknown } | undefined>;
  const live = new Map(versions.map((v) => [v.version, v]));
  for (const version of Object.keys(sent)) {
    if (!live.has(version)) throw refused(name, `version ${version} cannot be added without a tarball`);
  }
  const removed = hasVersions ? versions.filter((v) => !(v.version in sent)) : [];
  if (removed.length > 0 && !allowRemoval) throw refused(name, "versions can only be removed by unpublish");

  if (owners) await ctx.metadata.setOwners(name, owners);
  for (const [version, doc] of Object.entries(sent)) {
    const message = typeof doc?.deprecated === "string" && doc.deprecated !== "" ? doc.deprecated : null;
    if (message !== (live.get(version)?.deprecated ?? null))
      await ctx.metadata.setDeprecated(name, version, message);
  }
  if (removed.length > 0) await removeVersions(ctx, removed);
}
