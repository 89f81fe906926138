import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { BuntimeError } from "@buntime/sdk";
import { resolveVersion } from "@buntime/supply";
import { HOME_OPTIONS, parseCommand, usage } from "../common/args.ts";
import { type CliContext, cliContext } from "../common/context.ts";
import { type Output, runCommand } from "../common/output.ts";
import { createSignatureChecker } from "../install/verify.ts";
import { deploymentsApiFor } from "./kernel-api.ts";
import { packApp } from "./pack.ts";

/** The `--help` text of `buntime app deploy`. */
export const APP_DEPLOY_HELP = `Usage: buntime app deploy <name>[@range] | <folder> | <file.tgz> [options]

Deploys an app version into the running kernel (its deployments plugin) and makes it active:
requests in flight finish on the old version, new ones reach the new one.
  <name>[@range]   from the registry: the highest version in range (default latest), its
                   integrity and signatures checked as plugin installs check them
  <folder>         an app package folder (packed as buntime app pack does)
  <file.tgz>       a packed app

Options:
  --env NAME=VALUE   a value for a variable the manifest's env names (repeatable)
  --no-activate      deploy without making it the active version
  --home <dir>       the kernel's home (default: the nearest .buntime or buntime.config.json up
                     from here); --url <url> to name the kernel instead
  --registry <url>   registry to deploy from
`;

/** The tarball of `source` and what it is called, from a folder, a file or the registry. */
async function tarballOf(
  source: string,
  context: () => CliContext,
  out: Output,
): Promise<{ bytes: Uint8Array; label: string }> {
  const path = resolve(source);
  if (existsSync(path) && statSync(path).isDirectory()) {
    const packed = packApp(path);
    return { bytes: packed.tarball, label: `${packed.name}@${packed.version}` };
  }
  if (existsSync(path)) return { bytes: new Uint8Array(readFileSync(path)), label: source };
  const at = source.lastIndexOf("@");
  const [name, range] = at > 0 ? [source.slice(0, at), source.slice(at + 1)] : [source, "latest"];
  const { client, settings } = context();
  const packument = await client.packument(name);
  if (packument === undefined)
    throw new BuntimeError("BUNTIME_ERR_DEPLOY_NOT_FOUND", { what: `${name} in ${client.registry}` });
  const doc = resolveVersion(packument, range);
  await createSignatureChecker(client, settings.signaturePolicy, settings.registryKeys).check(doc);
  const label = `${doc.name}@${doc.version}`;
  const bytes = await client.tarball(doc.dist.tarball, doc.dist.integrity, label, (received, total) =>
    out.progress(label, received, total),
  );
  return { bytes, label };
}

/** `--env NAME=VALUE` flags as an object; a flag without `=` is a usage error. */
function envOf(flags: readonly string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const flag of flags ?? []) {
    const equals = flag.indexOf("=");
    if (equals <= 0) usage(`--env ${flag}: expected NAME=VALUE`);
    env[flag.slice(0, equals)] = flag.slice(equals + 1);
  }
  return env;
}

/** `buntime app deploy`: one version into the running kernel, through its deployments API. */
export async function runAppDeploy(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    ...HOME_OPTIONS,
    url: { type: "string" },
    env: { type: "string", multiple: true },
    "no-activate": { type: "boolean" },
  });
  return runCommand("app deploy", values, APP_DEPLOY_HELP, async (out) => {
    const [source] = positionals;
    if (!source) usage("app deploy needs what to deploy: a name[@range], a folder or a .tgz");
    const started = performance.now();
    const context = () => cliContext(values);
    const api = await deploymentsApiFor(values, out);
    const { bytes, label } = await tarballOf(source, context, out);
    const env = encodeURIComponent(JSON.stringify(envOf(values.env)));
    const activate = values["no-activate"] ? "false" : "true";
    const deployed = (await api("POST", `?activate=${activate}&env=${env}`, {
      body: bytes as Uint8Array<ArrayBuffer>,
      type: "application/gzip",
    })) as { name: string; version: string; active: boolean };
    const ms = Math.round(performance.now() - started);
    out.result(
      { ...deployed, ms },
      `deployed ${deployed.name}@${deployed.version} from ${label}${deployed.active ? " (active)" : ""} in ${ms} ms`,
    );
    return 0;
  });
}
