import { BuntimeError } from "@buntime/sdk";
import { S3Client } from "bun";
import type { StartRegistryOptions } from "../start.ts";
import { openPostgresStorage } from "../storage/postgres-storage.ts";
import { createS3Blobs } from "../storage/s3-blobs.ts";
import type { RegistryStorage } from "../storage/types.ts";
import type { UplinkOptions } from "../uplinks/uplinks.ts";
import type { RegistrySettings } from "./schema.ts";

/** S3 credentials from `S3_*` (else `AWS_*`) variables: never from a settings file. */
function s3Credentials(env: Record<string, string | undefined>) {
  const accessKeyId = env.S3_ACCESS_KEY_ID || env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY || env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_SETTINGS_INVALID", {
      details:
        "s3 needs credentials in S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
    });
  }
  return { accessKeyId, secretAccessKey, sessionToken: env.S3_SESSION_TOKEN || env.AWS_SESSION_TOKEN };
}

async function storageOf(
  settings: RegistrySettings,
  env: Record<string, string | undefined>,
): Promise<RegistryStorage | undefined> {
  if (!settings.postgres) return undefined;
  const credentials = settings.s3 ? s3Credentials(env) : undefined;
  const storage = await openPostgresStorage(settings.postgres);
  if (!settings.s3) return storage;
  const { bucket, endpoint, region } = settings.s3;
  const client = new S3Client({ bucket, endpoint, region, ...credentials });
  await storage.blobs.close();
  return { metadata: storage.metadata, blobs: createS3Blobs(client) };
}

function uplinksOf(
  settings: RegistrySettings,
  env: Record<string, string | undefined>,
): UplinkOptions[] | undefined {
  return settings.uplinks?.map(({ tokenEnv, ...uplink }, index) => {
    if (!tokenEnv) return uplink;
    const token = env[tokenEnv];
    if (!token) {
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_SETTINGS_INVALID", {
        details: `uplinks[${index}].tokenEnv: the variable ${tokenEnv} is not set`,
      });
    }
    return { ...uplink, token };
  });
}

/**
 * What `startRegistry` takes for `settings`: opens PostgreSQL (and S3) storage when asked,
 * reads uplink tokens from the variables their `tokenEnv` names.
 */
export async function startOptionsOf(
  settings: RegistrySettings,
  env: Record<string, string | undefined> = process.env,
): Promise<StartRegistryOptions> {
  const uplinks = uplinksOf(settings, env);
  const allowRegistration = settings.signUp === undefined ? undefined : settings.signUp === "open";
  return {
    port: settings.port,
    hostname: settings.host,
    storageDir: settings.storage,
    storage: await storageOf(settings, env),
    publicUrl: settings.publicUrl,
    signingKeyFile: settings.signingKey,
    allowRegistration,
    anonymousRead: settings.anonymousRead,
    limits: settings.limits,
    authRateLimit: settings.authRateLimit,
    orphanGraceMs: settings.orphanGraceMs,
    uplinks,
    uplinkCacheDir: settings.uplinkCache,
    advisoriesFile: settings.advisories,
  };
}
