import { isAbsolute, join, relative } from "node:path";
import { BuntimeError, formatZodIssues, packageNameSchema } from "@buntime/sdk";
import semver from "semver";
import { z } from "zod";

/** `<home>/plugins/lock.json`: the exact plugin versions installed in a home. */
export const lockfileSchema = z.object({
  lockfileVersion: z.literal(1),
  plugins: z.record(
    packageNameSchema,
    z.object({
      version: z.string().min(1),
      integrity: z.string().optional(),
      signature: z.string().optional(),
      /** The publisher's ed25519 signature over `integrity`, with its key id (see `pluginPolicy`). */
      publisher: z
        .object({ name: z.string().min(1).optional(), keyid: z.string().min(1), sig: z.string().min(1) })
        .optional(),
    }),
  ),
});

export type Lockfile = z.output<typeof lockfileSchema>;

/** Path of a home's lockfile. */
export function lockfilePath(home: string): string {
  return join(home, "plugins", "lock.json");
}

/**
 * Folder of one installed plugin version: `<home>/plugins/<name>/<version>/`. A name that is no
 * package name or a version that is no exact semver version (`..`, `/`, `\\` and the like) is
 * refused, so no caller (the kernel API, a hand-edited lockfile) reaches outside `<home>/plugins`.
 * @throws BuntimeError `BUNTIME_ERR_BAD_REQUEST` naming the plugin.
 */
export function installedPluginDir(home: string, name: string, version: string): string {
  const root = join(home, "plugins");
  const dir = join(root, name, version);
  const inside = relative(root, dir);
  if (
    !packageNameSchema.safeParse(name).success ||
    semver.valid(version) === null ||
    inside.startsWith("..") ||
    isAbsolute(inside)
  ) {
    throw new BuntimeError("BUNTIME_ERR_BAD_REQUEST", {
      details: `${JSON.stringify(name)} version ${JSON.stringify(version)} names no plugin: expected a package name and an exact semver version`,
    });
  }
  return dir;
}

/** Reads a home's lockfile; a home without one has no installed plugins. */
export async function readLockfile(home: string): Promise<Lockfile> {
  const path = lockfilePath(home);
  const file = Bun.file(path);
  if (!(await file.exists())) return { lockfileVersion: 1, plugins: {} };
  let raw: unknown;
  try {
    raw = await file.json();
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_CONFIG_INVALID",
      { source: path, details: "not valid JSON" },
      { cause: error },
    );
  }
  const result = lockfileSchema.safeParse(raw);
  if (!result.success) {
    throw new BuntimeError("BUNTIME_ERR_CONFIG_INVALID", {
      source: path,
      details: formatZodIssues(result.error),
    });
  }
  return result.data;
}
