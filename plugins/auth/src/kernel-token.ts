/**
 * The kernel's own admin token, as saved in `<home>/admin-token`. Auth passes requests that
 * carry it on to the kernel API untouched (the kernel checks it), and lends it to signed-in
 * admins for kernel API writes.
 */
import { readFileSync } from "node:fs";
import { join, sep } from "node:path";

/**
 * The home folder of a plugin whose data folder is `dataDir` (`<home>/data/<name>`), or
 * undefined when the folder does not have that shape.
 */
export function homeOf(dataDir: string, name: string): string | undefined {
  const suffix = `${sep}${join("data", name)}`;
  return dataDir.endsWith(suffix) ? dataDir.slice(0, -suffix.length) : undefined;
}

/** The kernel's token: `BUNTIME_ADMIN_TOKEN` when set, else `<home>/admin-token`; read once. */
export function readKernelToken(home: string | undefined): () => string | undefined {
  let token: string | undefined | null = null;
  return () => {
    if (token !== null) return token;
    token = process.env.BUNTIME_ADMIN_TOKEN || undefined;
    if (token !== undefined) return token;
    try {
      token =
        home === undefined ? undefined : readFileSync(join(home, "admin-token"), "utf8").trim() || undefined;
    } catch {
      token = undefined;
    }
    return token;
  };
}
