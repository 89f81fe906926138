import { BuntimeError } from "@buntime/sdk";
import { S3Client } from "bun";
import type { StartRegistryOptions } from "../start.ts";
import { openPostgresStorage } from "../storage/postgres-storage.ts";
import { createS3Blobs } from "../storage/s3-blobs.ts";
import type { RegistryStorage } from "../storage/types.ts";
import type { UplinkOptions } from "../uplinks/uplinks.ts";
import type { RegistrySettings } from "./schema.ts";

async function storageOf(settings: RegistrySettings): Promise<RegistryStorage | undefined> {
  if (!settings.postgres) return undefined;
  const storage = await openPostgresStorage(settings.postgres);
  if (!settings.s3) return storage;
  // Credentials come from Bun's S3_* / AWS_* variables, never from a settings file.
  const client = new S3Client({
    bucket: settings.s3.bucket,
    endpoint: settings.s3.endpoint,
    region: settings.s3.region,
  });
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
    storage: await storageOf(settings),
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
