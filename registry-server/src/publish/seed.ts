import { randomBytes } from "node:crypto";
import { BuntimeError } from "@buntime/sdk";
import type { Caller, RegistryContext } from "../context.ts";
import type { VersionRecord } from "../storage/types.ts";
import { inspectTarball } from "./inspect-tarball.ts";
import { publishVersion } from "./publish-version.ts";

/** Options for {@link publishTarball}. */
export interface PublishTarballOptions {
  /** The user recorded as publisher and owner; created (without a usable password) if missing. @default "buntime" */
  publisher?: string;
  /** The dist-tag to point at the version. @default "latest" */
  tag?: string;
}

async function seedCaller(ctx: RegistryContext, name: string): Promise<Caller> {
  if (!(await ctx.metadata.getUser(name))) {
    await ctx.metadata.createUser({
      name,
      // Nobody can sign in as the seeding user: its password is random and never shown.
      passwordHash: await Bun.password.hash(randomBytes(32).toString("base64")),
      email: null,
      admin: false,
      createdAt: new Date().toISOString(),
    });
  }
  const user = await ctx.metadata.getUser(name);
  if (!user)
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_STORAGE_FAILED", { details: `could not create ${name}` });
  const now = new Date().toISOString();
  return {
    user,
    operator: true,
    token: {
      id: "seed",
      user: name,
      label: "seed",
      hash: "",
      scope: "publish",
      createdAt: now,
      revokedAt: null,
    },
  };
}

/**
 * Publishes a package tarball from inside the process (no HTTP, no token), through the same
 * validation as `npm publish`. Seeding is idempotent: a version already stored with the same
 * bytes is returned as is; different bytes for a stored version are refused (409).
 */
export async function publishTarball(
  ctx: RegistryContext,
  tarball: Uint8Array,
  options: PublishTarballOptions = {},
): Promise<VersionRecord> {
  const { packageJson } = inspectTarball(tarball, "seed tarball", ctx.options.limits);
  const name = String(packageJson.name);
  const version = String(packageJson.version);
  const existing = await ctx.metadata.getVersion(name, version);
  if (existing) {
    const digest = `sha512-${new Bun.CryptoHasher("sha512").update(tarball).digest("base64")}`;
    if (existing.integrity === digest) return existing;
  }
  const caller = await seedCaller(ctx, options.publisher ?? "buntime");
  const file = `${name}-${version}.tgz`;
  const body = {
    name,
    "dist-tags": { [options.tag ?? "latest"]: version },
    versions: { [version]: { name, version } },
    _attachments: { [file]: { data: Buffer.from(tarball).toString("base64"), length: tarball.length } },
  };
  return publishVersion(ctx, caller, name, body);
}
