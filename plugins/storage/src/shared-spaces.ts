/**
 * Shared spaces: keyval namespaces that the kernel's admin grants to several apps in the storage
 * plugin's config. Their keys live under `shared/<space>`, apart from every app's own `app/<name>`;
 * only configured names are reachable, so no name in a URL can lead anywhere else.
 */
import { BuntimeError } from "@buntime/sdk";
import { z } from "zod";

/** A space's name: like a queue name, but starting with a letter or digit (so never `.` or `..`). */
export const SPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Which apps may read and which may write one space; writing implies reading. */
export const sharedSpaceSchema = z
  .object({
    /** Apps that may read the space's keys and watch them. */
    read: z.array(z.string().min(1)).default([]),
    /** Apps that may also write (put and delete) them. */
    write: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** The spaces by name, as configured. */
export const sharedSpacesSchema = z
  .record(
    z.string().regex(SPACE_NAME, "a space name is 1 to 100 of A-Z a-z 0-9 . _ -, not starting with . _ -"),
    sharedSpaceSchema,
  )
  .default({});

/** The configured spaces. */
export type SharedSpaces = z.output<typeof sharedSpacesSchema>;

const SHARED_PATH = /^shared\/([^/]*)(?:\/|$)/;

/**
 * The space a request names, or undefined for the app's own keys. `path` is the request's path and
 * `apiPrefix` the part of it the API is mounted at (the plugin's base and `/api/`, whatever the base).
 */
export function spaceOfPath(path: string, apiPrefix: string): string | undefined {
  if (!path.startsWith(apiPrefix)) return undefined;
  const raw = SHARED_PATH.exec(path.slice(apiPrefix.length))?.[1];
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Throws 404 for a space that is not configured, 403 when `app` may not read (or write) it. */
export function authorizeSpace(spaces: SharedSpaces, space: string, app: string, writing: boolean): void {
  const grant = Object.hasOwn(spaces, space) ? spaces[space] : undefined;
  if (grant === undefined) throw new BuntimeError("BUNTIME_ERR_STORAGE_SPACE_NOT_FOUND", { space });
  const allowed = grant.write.includes(app) || (!writing && grant.read.includes(app));
  if (!allowed) {
    throw new BuntimeError("BUNTIME_ERR_STORAGE_SPACE_FORBIDDEN", {
      app,
      access: writing ? "write" : "read",
      space,
    });
  }
}
