import { randomBytes } from "node:crypto";
import { BuntimeError } from "@buntime/sdk";
import { signIntegrity } from "@buntime/supply";
import type { Caller, RegistryContext } from "../context.ts";
import { parsePublisherKey } from "../signing/publisher-keys.ts";
import type { VersionRecord } from "../storage/types.ts";
import { inspectTarball } from "./inspect-tarball.ts";
import { publishVersion } from "./publish-version.ts";

/** Options for {@link publishTarball}. */
export interface PublishTarballOptions {
  /** The user recorded as publisher and owner; created (without a usable password) if missing. @default "buntime" */
  publisher?: string;
  /** The dist-tag to point at the version. @default "latest" */
  tag?: string;
  /**
   * The publisher's ed25519 key pair (PEM): the version is published with the publisher's
   * signature of its integrity (checked like any `dist.publisherSignature`), the public key
   * registered to the publisher first when it is not yet. A version already stored with the same
   * bytes keeps the signatures it was first published with.
   */
  publisherKey?: { privateKey: string; publicKey: string };
}

/** Registers `publicKey` to the seeding user unless it already is. */
async function registerSeedKey(ctx: RegistryContext, user: string, publicKeyPem: string): Promise<void> {
  const { keyid, publicKey } = parsePublisherKey(publicKeyPem);
  if ((await ctx.metadata.listPublisherKeys(user)).some((key) => key.keyid === keyid)) return;
  await ctx.metadata.addPublisherKey({ keyid, user, publicKey, createdAt: new Date().toISOString() });
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
  const digest = `sha512-${new Bun.CryptoHasher("sha512").update(tarball).digest("base64")}`;
  const existing = await ctx.metadata.getVersion(name, version);
  if (existing?.integrity === digest) return existing;
  const caller = await seedCaller(ctx, options.publisher ?? "buntime");
  const key = options.publisherKey;
  if (key) await registerSeedKey(ctx, caller.user.name, key.publicKey);
  const dist = key ? { dist: { publisherSignature: signIntegrity(key.privateKey, digest) } } : {};
  const file = `${name}-${version}.tgz`;
  const body = {
    name,
    "dist-tags": { [options.tag ?? "latest"]: version },
    versions: { [version]: { name, version, ...dist } },
    _attachments: { [file]: { data: Buffer.from(tarball).toString("base64"), length: tarball.length } },
  };
  return publishVersion(ctx, caller, name, body);
}
