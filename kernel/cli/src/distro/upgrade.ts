import { existsSync } from "node:fs";
import { diffLocks, lockDistribution, readLock, readManifest, serializeLock } from "@buntime/distro";
import { KERNEL_VERSION } from "@buntime/kernel";
import { parseCommand } from "../common/args.ts";
import { writeFileAtomic } from "../common/atomic-write.ts";
import { cliContext } from "../common/context.ts";
import { runCommand } from "../common/output.ts";
import { FIRST_PARTY_PREFIX } from "../install/plan.ts";
import { DISTRO_OPTIONS, lockPathOf, manifestPathOf } from "./common.ts";

/** The `--help` text of `buntime distro upgrade`. */
export const UPGRADE_HELP = `Usage: buntime distro upgrade [name...] [--plan] [options]

Locks again, moving the named plugins and apps (all when none is named) to the newest versions
their ranges and this kernel allow; the others keep their locked versions. Apps are named by
their name in the manifest and shown as "app <name>". Prints each
change (from → to) with the permissions it adds or drops. With --plan, nothing is written.
A range in buntime.distro.json that excludes the newer version is not widened: edit it (or
buntime distro add name@range) first.

Options:
  -f, --file <path>   manifest (default ./buntime.distro.json; its distro.lock.json beside it)
  --registry <url>    registry (default: the lock's)
  --plan              show the changes, write nothing
  --json              print the changes as JSON
`;

/** `buntime distro upgrade [name...] [--plan]`. */
export async function runUpgradeDistro(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    ...DISTRO_OPTIONS,
    registry: { type: "string" },
    plan: { type: "boolean" },
  });
  return runCommand("distro upgrade", values, UPGRADE_HELP, async (out) => {
    const manifestPath = manifestPathOf(values);
    const manifest = readManifest(manifestPath);
    const lockPath = lockPathOf(manifestPath);
    const previous = existsSync(lockPath) ? readLock(lockPath) : undefined;
    const { client } = cliContext({ registry: values.registry ?? previous?.registry ?? manifest.registry });
    const named = positionals.map((name) =>
      previous?.plugins[name] || previous?.apps?.[name] || name.startsWith("@")
        ? name
        : `${FIRST_PARTY_PREFIX}${name}`,
    );
    const keep = named.length
      ? [...Object.keys(previous?.plugins ?? {}), ...Object.keys(previous?.apps ?? {})].filter(
          (name) => !named.includes(name),
        )
      : [];
    const lock = await lockDistribution({
      manifest,
      manifestPath,
      client,
      kernelVersion: KERNEL_VERSION,
      previous,
      keep,
    });
    const changes = diffLocks(previous, lock);
    if (!values.plan && changes.length > 0) writeFileAtomic(lockPath, serializeLock(lock));
    const lines = changes.map((change) => {
      const moved = `${change.name} ${change.from ?? "(new)"} → ${change.to ?? "(dropped)"}`;
      const perms = [
        ...change.permissions.added.map((p) => `+${p}`),
        ...change.permissions.removed.map((p) => `-${p}`),
      ];
      return `  ${moved}${perms.length ? `  permissions: ${perms.join(", ")}` : ""}`;
    });
    const head =
      changes.length === 0
        ? "up to date"
        : values.plan
          ? "would change (nothing written):"
          : `wrote ${lockPath}:`;
    out.result({ plan: values.plan === true, changes }, [head, ...lines].join("\n"));
    return 0;
  });
}
