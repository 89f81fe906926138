/** `buntime distro add --app` and `distro remove --app`: the manifest's apps, from the registry or a folder. */
import { existsSync } from "node:fs";
import { basename, dirname, relative, resolve } from "node:path";
import { appNameSchema, type DistroManifestInput } from "@buntime/distro";
import { BuntimeError } from "@buntime/sdk";
import { type RegistryClient, resolveVersion } from "@buntime/supply";
import { usage } from "../common/args.ts";
import { parseSpec } from "../install/plan.ts";

type Apps = NonNullable<DistroManifestInput["apps"]>;

/** The app name a package name gives: `shop` for `shop` and for `@acme/shop`. */
function appNameOf(pkg: string): string {
  const name = pkg.startsWith("@") ? pkg.slice(pkg.indexOf("/") + 1) : pkg;
  if (!appNameSchema.safeParse(name).success)
    usage(`${pkg} gives no app name (${name}); use lowercase letters, digits, '.', '_', '-'`);
  return name;
}

/** One app entry for a folder argument (`./apps/notes`): `{ path }` relative to the manifest. */
function folderApp(given: string, manifestPath: string): [string, Apps[string]] {
  const folder = resolve(given);
  if (!existsSync(folder))
    throw new BuntimeError("BUNTIME_ERR_DISTRO_NOT_FOUND", { what: "app folder", path: folder });
  const path = relative(dirname(manifestPath), folder) || ".";
  return [appNameOf(basename(folder)), { path: path.startsWith(".") ? path : `./${path}` }];
}

/** One app entry for a package argument (`shop@^1`, `@acme/shop`): its range, latest when none, checked to be an app. */
async function registryApp(given: string, client: RegistryClient): Promise<[string, Apps[string]]> {
  const spec = parseSpec(given);
  const packument = await client.packument(spec.name);
  if (!packument)
    throw new BuntimeError("BUNTIME_ERR_INSTALL_UNKNOWN_PLUGIN", {
      package: spec.name,
      registry: client.registry,
    });
  const latest = resolveVersion(packument, "latest");
  if (latest.buntime?.app === undefined)
    usage(`${spec.name}@${latest.version} is no app package (no buntime.app); add a plugin without --app`);
  const range = spec.range ?? `^${latest.version}`;
  const name = appNameOf(spec.name);
  return [name, name === spec.name ? range : { range, package: spec.name }];
}

/**
 * Adds apps to a manifest: a path (`./apps/notes`, `/srv/notes`) is a local folder, anything
 * else a package in the registry (its latest version must be an app package; without a range,
 * `^<latest>`). Answers the new apps map and what was added.
 */
export async function addApps(
  given: readonly string[],
  manifest: DistroManifestInput,
  manifestPath: string,
  client: RegistryClient,
): Promise<{ apps: Apps; added: string[] }> {
  const apps: Apps = { ...manifest.apps };
  const added: string[] = [];
  for (const text of given) {
    const isFolder = text.startsWith(".") || text.startsWith("/");
    const [name, entry] = isFolder ? folderApp(text, manifestPath) : await registryApp(text, client);
    apps[name] = entry;
    const shown =
      typeof entry === "string" ? entry : "path" in entry ? entry.path : `${entry.package}@${entry.range}`;
    added.push(`app ${name}: ${shown}`);
  }
  return { apps, added };
}

/** Removes apps by name; one the manifest does not list is `BUNTIME_ERR_DISTRO_NOT_FOUND` and nothing changes. */
export function removeApps(given: readonly string[], manifest: DistroManifestInput, manifestPath: string) {
  const apps: Apps = { ...manifest.apps };
  for (const name of given) {
    if (!(name in apps))
      throw new BuntimeError("BUNTIME_ERR_DISTRO_NOT_FOUND", {
        what: "app",
        path: `${name} in ${manifestPath}`,
      });
    delete apps[name];
  }
  return { apps, removed: given.map((name) => `app ${name}`) };
}
