import { readManifestInput, writeManifest } from "@buntime/distro";
import { BuntimeError } from "@buntime/sdk";
import { resolveVersion } from "@buntime/supply";
import { parseCommand, usage } from "../common/args.ts";
import { cliContext } from "../common/context.ts";
import { runCommand } from "../common/output.ts";
import { canonicalName, parseSpec } from "../install/plan.ts";
import { unknownPlugin } from "../install/suggest.ts";
import { DISTRO_OPTIONS, manifestPathOf } from "./common.ts";
import { addApps, removeApps } from "./edit-apps.ts";

/** The `--help` text of `buntime distro add`. */
export const ADD_HELP = `Usage: buntime distro add <name>[@range]... [options]
       buntime distro add --app <package>[@range] | <folder>... [options]

Adds plugins to buntime.distro.json (or changes their range). A short name means the
first-party plugin (auth is @buntime/plugin-auth). Without a range, the registry's latest
version is looked up and ^<latest> is written; a plugin the registry does not have is refused.
With --app, adds apps: an app package from the registry (served as its name without scope), or
a folder (./apps/notes) copied into the build as it is. Nothing is installed: run buntime
distro lock.

Options:
  --app               the names are apps, not plugins
  -f, --file <path>   manifest (default ./buntime.distro.json)
  --registry <url>    registry for short names and latest versions (default: the manifest's, else the CLI's)
  --config <json>     the plugin's settings, as JSON (one plugin only)
`;

/** The `--help` text of `buntime distro remove`. */
export const REMOVE_HELP = `Usage: buntime distro remove <name>... [options]

Removes plugins (with --app, apps by name) from buntime.distro.json. A name it does not list is
an error and nothing changes.

Options:
  --app               the names are apps, not plugins
  -f, --file <path>   manifest (default ./buntime.distro.json)
`;

function parseConfig(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below, naming the flag
  }
  return usage(`--config must be a JSON object, got ${text}`);
}

/** `buntime distro add <name>[@range]...`. */
export async function runAdd(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    ...DISTRO_OPTIONS,
    registry: { type: "string" },
    config: { type: "string" },
    app: { type: "boolean" },
  });
  return runCommand("distro add", values, ADD_HELP, async (out) => {
    if (positionals.length === 0) usage("distro add needs a plugin name, e.g. buntime distro add auth");
    if (values.app) {
      if (values.config !== undefined) usage("--config sets a plugin's settings; apps take none");
      const path = manifestPathOf(values);
      const manifest = readManifestInput(path);
      const { client } = cliContext({ registry: values.registry ?? manifest.registry });
      const { apps, added } = await addApps(positionals, manifest, path, client);
      writeManifest(path, { ...manifest, apps });
      out.result(
        { path, added },
        `${added.map((a) => `+ ${a}`).join("\n")}\nrun buntime distro lock to pin them`,
      );
      return 0;
    }
    const config = parseConfig(values.config);
    if (config && positionals.length > 1) usage("--config applies to one plugin; add them one at a time");
    const path = manifestPathOf(values);
    const manifest = readManifestInput(path);
    const { client } = cliContext({ registry: values.registry ?? manifest.registry });
    const plugins = { ...manifest.plugins };
    const added: string[] = [];
    for (const spec of positionals.map(parseSpec)) {
      const name = await canonicalName(spec.name, client, {});
      const packument = await client.packument(name);
      if (!packument) throw await unknownPlugin(client, name);
      const range = spec.range ?? `^${resolveVersion(packument, "latest").version}`;
      const previous = plugins[name];
      const keptConfig = typeof previous === "object" ? previous.config : undefined;
      const settings = config ?? keptConfig;
      plugins[name] = settings ? { range, config: settings } : range;
      added.push(`${name}@${range}`);
    }
    writeManifest(path, { ...manifest, plugins });
    out.result(
      { path, added },
      `${added.map((a) => `+ ${a}`).join("\n")}\nrun buntime distro lock to pin them`,
    );
    return 0;
  });
}

/** `buntime distro remove <name>...`. */
export async function runRemoveFromDistro(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { ...DISTRO_OPTIONS, app: { type: "boolean" } });
  return runCommand("distro remove", values, REMOVE_HELP, async (out) => {
    if (positionals.length === 0) usage("distro remove needs a plugin name, e.g. buntime distro remove auth");
    const path = manifestPathOf(values);
    const manifest = readManifestInput(path);
    if (values.app) {
      const { apps, removed } = removeApps(positionals, manifest, path);
      writeManifest(path, { ...manifest, apps });
      out.result({ path, removed }, removed.map((name) => `- ${name}`).join("\n"));
      return 0;
    }
    const plugins = { ...manifest.plugins };
    const removed: string[] = [];
    for (const given of positionals) {
      const name = [given, `@buntime/plugin-${given}`].find((candidate) => candidate in plugins);
      if (!name) {
        throw new BuntimeError("BUNTIME_ERR_DISTRO_NOT_FOUND", {
          what: "plugin",
          path: `${given} in ${path}`,
        });
      }
      delete plugins[name];
      removed.push(name);
    }
    writeManifest(path, { ...manifest, plugins });
    out.result({ path, removed }, removed.map((name) => `- ${name}`).join("\n"));
    return 0;
  });
}
