import { KERNEL_VERSION } from "@buntime/kernel";
import { resolveVersion } from "@buntime/supply";
import semver from "semver";
import { HOME_OPTIONS, parseCommand, usage } from "../common/args.ts";
import { cliContext } from "../common/context.ts";
import { announceHome } from "../common/home.ts";
import { runCommand } from "../common/output.ts";
import { readLock } from "../install/lock-store.ts";
import { canonicalName } from "../install/plan.ts";
import { unknownPlugin } from "../install/suggest.ts";

/** The `--help` text of `buntime plugin info`. */
export const INFO_HELP = `Usage: buntime plugin info <name> [--registry <url>] [--home <dir>] [--json]

Shows a plugin from the registry: description, the newest version this kernel supports, its
manifest (base, dependencies, permissions), dist-tags, versions, signatures, and the version
installed in the home.
`;

/** `buntime plugin info <name>`. */
export async function runInfo(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, HOME_OPTIONS);
  return runCommand("plugin info", values, INFO_HELP, async (out) => {
    const [given] = positionals;
    if (!given) usage("plugin info needs a plugin name");
    const context = cliContext(values);
    // "installed: no" is about one home: say which when it is not plain
    announceHome(out, context.resolvedHome, false);
    const lock = await readLock(context.home);
    const name = await canonicalName(given, context.client, lock.plugins);
    const packument = await context.client.packument(name);
    if (!packument) throw await unknownPlugin(context.client, name);
    const doc = resolveVersion(packument, "*", KERNEL_VERSION);
    const installed = lock.plugins[name]?.version ?? null;
    const versions = Object.keys(packument.versions).sort(semver.rcompare);
    const info = {
      name,
      description: doc.description ?? null,
      version: doc.version,
      installed,
      distTags: packument["dist-tags"],
      versions,
      manifest: doc.buntime ?? null,
      signatures: {
        registry: (doc.dist.signatures ?? []).length > 0,
        publisher: doc.dist.publisherSignatures?.[0]?.publisher ?? null,
      },
    };
    const manifest = doc.buntime ?? {};
    out.result(
      info,
      [
        `${name}@${doc.version}${info.description ? `: ${info.description}` : ""}`,
        `kernel: ${manifest.kernel ?? "?"}   base: ${String(manifest.base ?? "-")}`,
        `dependencies: ${
          Object.entries(manifest.dependencies ?? {})
            .map(([n, r]) => `${n}@${r}`)
            .join(", ") || "none"
        }`,
        `dist-tags: ${Object.entries(info.distTags)
          .map(([t, v]) => `${t}=${v}`)
          .join(", ")}`,
        `versions: ${versions.join(", ")}`,
        `signed: registry ${info.signatures.registry ? "yes" : "no"}, publisher ${info.signatures.publisher ?? "no"}`,
        `installed: ${installed ?? "no"}`,
      ].join("\n"),
    );
    return 0;
  });
}
