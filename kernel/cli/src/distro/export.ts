import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { type DistroManifestInput, exportedApps, PROVENANCE_PLUGIN, writeManifest } from "@buntime/distro";
import { KERNEL_VERSION, loadConfig, readLockfile } from "@buntime/kernel";
import { BuntimeError } from "@buntime/sdk";
import semver from "semver";
import { HOME_OPTIONS, parseCommand } from "../common/args.ts";
import { cliContext } from "../common/context.ts";
import { runCommand } from "../common/output.ts";
import { findKernel } from "../install/kernel-link.ts";
import { DISTRO_OPTIONS, manifestPathOf } from "./common.ts";
import { nameOf, schemaReference } from "./init.ts";

/** The `--help` text of `buntime distro export`. */
export const EXPORT_HELP = `Usage: buntime distro export [options]

Writes a buntime.distro.json of what a home runs: the plugins loaded in the kernel running on
the home (every one, with its exact version; a built distribution's provenance plugin aside), else the plugins installed in it
(<home>/plugins/lock.json); and the apps in <home>/apps (or the router's appsDir setting): a deployed app (a package, as
buntime app deploy installs it) at its active version, to be locked from the registry, a folder
app as { "path" }. Lock and build it to get the same plugins and apps elsewhere. An existing
manifest is left alone (exit 1).

Options:
  -f, --file <path>   manifest to write (default ./buntime.distro.json)
  --home <dir>        Buntime home (env BUNTIME_HOME, default ./.buntime)
  --config <file>     kernel settings file (to find the home)
  --registry <url>    registry recorded in the manifest (default: BUNTIME_REGISTRY, the CLI settings, http://127.0.0.1:4873/)
  --name <name>       distribution name (default: the manifest folder's name)
`;

/** The router's `appsDir` in the kernel's settings, when it sets one (else the apps are `<home>/apps`). */
function routerAppsDir(flags: { home?: string; config?: string }): string | undefined {
  const { plugins } = loadConfig({ configPath: flags.config, overrides: { home: flags.home } });
  const dir = (plugins["@buntime/plugin-router"] as { appsDir?: unknown } | undefined)?.appsDir;
  return typeof dir === "string" ? resolve(dir) : undefined;
}

/** `buntime distro export`. */
export async function runExport(args: string[]): Promise<number> {
  const { values } = parseCommand(args, { ...DISTRO_OPTIONS, ...HOME_OPTIONS, name: { type: "string" } });
  return runCommand("distro export", values, EXPORT_HELP, async (out) => {
    const path = manifestPathOf(values);
    if (existsSync(path)) {
      throw new BuntimeError("BUNTIME_ERR_DISTRO_EXISTS", { path, details: "give another --file" });
    }
    const context = cliContext(values);
    const kernel = await findKernel(context.home);
    const plugins = kernel
      ? (await kernel.loaded())
          .filter(({ name }) => name !== PROVENANCE_PLUGIN)
          .map(({ name, version }) => [name, version] as const)
      : Object.entries((await readLockfile(context.home)).plugins).map(
          ([name, { version }]) => [name, version] as const,
        );
    const version = kernel?.version ?? KERNEL_VERSION;
    const appsDir = routerAppsDir(values) ?? join(context.home, "apps");
    const apps = exportedApps(appsDir, path);
    const manifest: DistroManifestInput = {
      $schema: schemaReference(path),
      name: values.name ?? nameOf(basename(dirname(path))),
      version: "0.1.0",
      kernel: `^${semver.major(version)}.${semver.minor(version)}.0`,
      registry: context.registry,
      plugins: Object.fromEntries([...plugins].sort(([a], [b]) => a.localeCompare(b))),
      apps,
      policy: { signatures: "registry" },
    };
    writeManifest(path, manifest);
    const from = kernel ? `the kernel at ${kernel.url}` : `${context.home}/plugins/lock.json`;
    const appCount = Object.keys(apps).length;
    out.result(
      { path, manifest },
      `wrote ${path} with ${plugins.length} plugins from ${from}${appCount ? ` and ${appCount} apps from ${appsDir}` : ""}`,
    );
    return 0;
  });
}
