import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { BuntimeError, formatZodIssues, packageNameSchema } from "@buntime/sdk";
import semver from "semver";
import { z } from "zod";
import { appNameSchema, type DistroManifest, registryApps } from "../manifest.ts";
import { readJsonFile } from "../read-json.ts";

/** The file name of a distribution lock. */
export const LOCK_FILE = "distro.lock.json";

const keySchema = z.object({ keyid: z.string().min(1), key: z.string().min(1) }).strict();
const signatureSchema = z.object({ keyid: z.string().min(1), sig: z.string().min(1) }).strict();

/** What every locked package has: an exact version and what proves its bytes. */
const lockedPackageShape = {
  /** An exact version: it names folders in a build, so `..` and the like are refused. */
  version: z.string().refine((v) => semver.valid(v) === v, { error: "expected an exact semver version" }),
  /** sha512 Subresource Integrity of the tarball. */
  integrity: z.string().startsWith("sha512-"),
  /** The registry's signature over `name@version:integrity`, when it signed. */
  signature: signatureSchema.optional(),
  /** The publisher who signed the integrity, with the key id and signature. */
  publisher: z
    .object({ name: z.string().min(1), keyid: z.string().min(1), sig: z.string().min(1) })
    .optional(),
  /** What its manifest says it may touch. */
  permissions: z.record(z.string(), z.unknown()).optional(),
};

/** One locked app from the registry: its package, an exact version and what proves its bytes. */
export const lockedAppSchema = z
  .object({
    /** The app's package in the registry (its signatures name it). */
    package: packageNameSchema,
    ...lockedPackageShape,
  })
  .strict();

/** One locked plugin: an exact version and what proves its bytes. */
export const lockedPluginSchema = z
  .object({
    ...lockedPackageShape,
    /** The plugin's own kernel range. */
    kernel: z.string().optional(),
    /** Plugin dependencies it declares (name → range). */
    dependencies: z.record(packageNameSchema, z.string()).optional(),
    /** Who wants it: `buntime.distro.json` or `name@version` of the plugins depending on it. */
    wantedBy: z.array(z.string()),
  })
  .strict();

/** `distro.lock.json`: a distribution resolved against one registry. */
export const distroLockSchema = z
  .object({
    lockfileVersion: z.literal(1),
    name: packageNameSchema,
    version: z.string(),
    /** sha256 of the manifest's canonical form: a lock of another manifest is stale. */
    manifest: z.string().startsWith("sha256-"),
    /** The exact kernel version the plugins were resolved for. */
    kernel: z.string(),
    registry: z.string().url(),
    /** The registry's public keys the signatures were verified with (pinned by the lock). */
    registryKeys: z.array(keySchema),
    /** Publishers' public keys, by publisher. */
    publisherKeys: z.record(z.string(), z.array(keySchema)),
    plugins: z.record(packageNameSchema, lockedPluginSchema),
    /** The manifest's registry apps by app name (local-folder apps are not locked); left out when none. */
    apps: z.record(appNameSchema, lockedAppSchema).optional(),
  })
  .strict();

/** A distribution lock. */
export type DistroLock = z.output<typeof distroLockSchema>;
/** One locked plugin. */
export type LockedPlugin = z.output<typeof lockedPluginSchema>;
/** One locked registry app. */
export type LockedApp = z.output<typeof lockedAppSchema>;
/** What a build needs of any locked package to fetch and check it. */
export type LockedPackage = Pick<LockedPlugin, "version" | "integrity" | "signature" | "publisher">;

/** JSON with object keys sorted at every level, so equal values give equal bytes. */
export function canonicalJson(value: unknown, indent?: number): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((key) => [key, sort((v as Record<string, unknown>)[key])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value), null, indent);
}

/** The hash a lock records of its manifest: its canonical JSON without `$schema`. */
export function manifestHash(manifest: DistroManifest): string {
  const { $schema: _ignored, ...meaning } = manifest;
  return `sha256-${createHash("sha256").update(canonicalJson(meaning)).digest("base64")}`;
}

/** The bytes of a lock: canonical JSON, two-space indent, one trailing newline. */
export function serializeLock(lock: DistroLock): string {
  return `${canonicalJson(lock, 2)}\n`;
}

/** Reads and validates a lock; `undefined` when there is none and `optional` is set. */
export function readLock(path: string, optional: true): DistroLock | undefined;
export function readLock(path: string, optional?: false): DistroLock;
export function readLock(path: string, optional = false): DistroLock | undefined {
  if (optional && !existsSync(path)) return undefined;
  const raw = readJsonFile(path, "distribution lock");
  const parsed = distroLockSchema.safeParse(raw);
  if (!parsed.success) {
    throw new BuntimeError("BUNTIME_ERR_CONFIG_INVALID", {
      source: path,
      details: formatZodIssues(parsed.error),
    });
  }
  return parsed.data;
}

/**
 * Throws `BUNTIME_ERR_DISTRO_LOCK_STALE` unless `lock` was made from `manifest` (its hash) and
 * every plugin and registry app the manifest names is locked.
 */
export function checkLockFresh(
  lock: DistroLock,
  manifest: DistroManifest,
  lockPath: string,
  manifestPath: string,
) {
  const stale = (details: string) =>
    new BuntimeError("BUNTIME_ERR_DISTRO_LOCK_STALE", { lock: lockPath, manifest: manifestPath, details });
  if (lock.manifest !== manifestHash(manifest)) throw stale("the manifest changed since it was locked");
  const missing = [
    ...Object.keys(manifest.plugins).filter((name) => !lock.plugins[name]),
    ...registryApps(manifest)
      .filter(([name]) => !lock.apps?.[name])
      .map(([name]) => `app ${name}`),
  ];
  if (missing.length) throw stale(`${missing.join(", ")} not locked`);
}
