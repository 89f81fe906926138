/**
 * The values of the variables a distribution's registry apps declare (`buntime.app.env`): never
 * in the lock or the build (they are secrets), given to each start as `BUNTIME_APP_<APP>_<NAME>`
 * and written into the version folder's `.env.json` (0600) after the build is verified and
 * before the kernel starts, as a deploy would write them.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { APP_ENV_FILE, BuntimeError, parseAppManifest } from "@buntime/sdk";
import { builtAppDir } from "./build/layout.ts";
import type { DistroLock } from "./lock/schema.ts";

/** The variable that gives app `app`'s declared variable `name` at start: `BUNTIME_APP_SHOP_STRIPE_KEY`. */
export function appEnvVariable(app: string, name: string): string {
  return `BUNTIME_APP_${app.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_${name}`;
}

/**
 * Writes each registry app's `.env.json` from `env` (the start's environment): the values of
 * the variables its manifest declares, nothing else; an app that declares none gets no file.
 * A declared variable without a value refuses the start (`BUNTIME_ERR_DISTRO_APP_NEEDS_ENV`,
 * naming every variable to set) before any file is written.
 */
export function writeAppEnv(
  dir: string,
  lock: DistroLock,
  env: Readonly<Record<string, string | undefined>>,
) {
  const files: [string, Record<string, string>][] = [];
  for (const [app, locked] of Object.entries(lock.apps ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const folder = builtAppDir(dir, app, locked.version);
    const pkg = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as {
      buntime?: { app?: unknown };
    };
    const names = parseAppManifest(pkg.buntime?.app ?? {}, `${app}@${locked.version}`).env;
    const missing = names.filter((name) => env[appEnvVariable(app, name)] === undefined);
    if (missing.length > 0) {
      throw new BuntimeError("BUNTIME_ERR_DISTRO_APP_NEEDS_ENV", {
        app: `${app}@${locked.version}`,
        names: missing.join(", "),
        variables: missing.map((name) => appEnvVariable(app, name)).join(", "),
      });
    }
    const values = Object.fromEntries(names.map((name) => [name, env[appEnvVariable(app, name)] as string]));
    files.push([join(folder, APP_ENV_FILE), values]);
  }
  for (const [path, values] of files) {
    if (Object.keys(values).length === 0) {
      if (existsSync(path)) rmSync(path);
      continue;
    }
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(values), { mode: 0o600 });
    renameSync(temporary, path);
  }
}
