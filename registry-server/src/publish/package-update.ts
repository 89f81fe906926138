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

/**
 * Applies the edits npm makes by PUTting a whole packument back: `deprecated` messages
 * (`npm deprecate`), maintainers (`npm owner`) and, on `/-rev/` URLs, versions left out
 * (`npm unpublish name@version`). Everything else in a version is immutable and ignored.
 */
export async function applyPackageUpdate(
  ctx: RegistryContext,
  caller: Caller,
  name: string,
  body: Record<string, unknown> | null,
  allowRemoval: boolean,
): Promise<void> {
  if (!body || typeof body.versions !== "object" || body.versions === null) {
    throw refused(name, "the body must be a packument with versions");
  }
  if (body.name !== undefined && body.name !== name)
    throw refused(name, `the body names ${String(body.name)}`);
  const { pkg, versions } = await loadPackage(ctx, name);
  requireOwner(caller, pkg.owners, name);
  const sent = body.versions as Record<string, { deprecated?: unknown } | undefined>;
  const live = new Map(versions.map((v) => [v.version, v]));
  for (const version of Object.keys(sent)) {
    if (!live.has(version)) throw refused(name, `version ${version} cannot be added without a tarball`);
  }
  const owners = ownersOf(body);
  if (owners && owners.join() !== pkg.owners.join()) {
    if (owners.length === 0) throw refused(name, "a package needs at least one owner");
    for (const owner of owners) {
      if (!(await ctx.metadata.getUser(owner))) throw refused(name, `no user named ${JSON.stringify(owner)}`);
    }
    await ctx.metadata.setOwners(name, [...new Set(owners)]);
  }
  for (const [version, doc] of Object.entries(sent)) {
    const message = typeof doc?.deprecated === "string" && doc.deprecated !== "" ? doc.deprecated : null;
    if (message !== (live.get(version)?.deprecated ?? null))
      await ctx.metadata.setDeprecated(name, version, message);
  }
  const removed = versions.filter((v) => !(v.version in sent));
  if (removed.length > 0 && !allowRemoval) throw refused(name, "versions can only be removed by unpublish");
  if (removed.length > 0) await removeVersions(ctx, removed);
}
