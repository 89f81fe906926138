import { existsSync } from "node:fs";
import { basename, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { type DistroManifestInput, writeManifest } from "@buntime/distro";
import { KERNEL_VERSION } from "@buntime/kernel";
import { BuntimeError } from "@buntime/sdk";
import semver from "semver";
import { parseCommand } from "../common/args.ts";
import { runCommand } from "../common/output.ts";
import { DISTRO_OPTIONS, manifestPathOf } from "./common.ts";

/** The `--help` text of `buntime distro init`. */
export const INIT_HELP = `Usage: buntime distro init [options]

Writes a starter buntime.distro.json: this kernel's minor range, the router plugin, the
signature policy 'registry', and a $schema your editor validates against. An existing file is
left alone (exit 1).

Options:
  -f, --file <path>   manifest to write (default ./buntime.distro.json)
  --name <name>       distribution name (default: the folder's name)
  --registry <url>    registry to lock against (default: none; the CLI's registry is used)
`;

/** The `$schema` of a manifest at `path`: the published JSON Schema, relative to it. */
export function schemaReference(path: string): string {
  return relative(
    dirname(path),
    fileURLToPath(import.meta.resolve("@buntime/distro/buntime.distro.schema.json")),
  );
}

/** A package name made of a folder name: lower case, anything else a dash. */
export function nameOf(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "");
  return name || "my-distribution";
}

/** `buntime distro init`. */
export async function runInit(args: string[]): Promise<number> {
  const { values } = parseCommand(args, {
    ...DISTRO_OPTIONS,
    name: { type: "string" },
    registry: { type: "string" },
  });
  return runCommand("distro init", values, INIT_HELP, async (out) => {
    const path = manifestPathOf(values);
    if (existsSync(path)) {
      throw new BuntimeError("BUNTIME_ERR_DISTRO_EXISTS", {
        path,
        details: "edit it, or change it with buntime distro add and remove",
      });
    }
    const manifest: DistroManifestInput = {
      $schema: schemaReference(path),
      name: values.name ?? nameOf(basename(dirname(path))),
      version: "0.1.0",
      kernel: `^${semver.major(KERNEL_VERSION)}.${semver.minor(KERNEL_VERSION)}.0`,
      ...(values.registry ? { registry: values.registry } : {}),
      plugins: { "@buntime/plugin-router": "^0.1.0" },
      apps: {},
      policy: { signatures: "registry" },
    };
    writeManifest(path, manifest);
    out.result({ path, manifest }, `wrote ${path}`);
    return 0;
  });
}
