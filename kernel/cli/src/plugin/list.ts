import { join } from "node:path";
import { KERNEL_VERSION } from "@buntime/kernel";
import { isBuntimeError } from "@buntime/sdk";
import { type RegistryClient, resolveVersion } from "@buntime/supply";
import semver from "semver";
import { HOME_OPTIONS, parseCommand } from "../common/args.ts";
import { cliContext } from "../common/context.ts";
import { announceHome } from "../common/home.ts";
import { runCommand } from "../common/output.ts";
import { findKernel } from "../install/kernel-link.ts";
import { readHistory, readLock } from "../install/lock-store.ts";

/** The `--help` text of `buntime plugin list`. */
export const LIST_HELP = `Usage: buntime plugin list [--home <dir>] [--registry <url>] [--offline] [--json]

Lists every plugin of the home and of the kernel running on it, with where each came from:
installed in the home (its folder, the version kept for rollback, whether the kernel has it
loaded) or bundled with the kernel (loaded from its plugin folders: pluginDirs, --plugins or its
distribution). For each, whether the registry has a newer version this kernel supports (skipped
with --offline, or shown as unknown when the registry is unreachable). Without --home, the home is
the nearest buntime.config.json or .buntime up from the current folder.
`;

/** One row of the list. */
interface Row {
  name: string;
  version: string;
  /** `installed`: in `<home>/plugins`; `bundled`: from the running kernel's plugin folders. */
  source: "installed" | "bundled";
  /** The installed version's folder; null for a bundled plugin (the kernel does not say which folder). */
  path: string | null;
  previous: string | null;
  loaded: boolean | null;
  /** The running kernel's status for it (`running`, `failed`), null when no kernel runs. */
  status: string | null;
  latest: string | null;
  update: boolean | null;
}

/** Asks the registry for the newest version this kernel supports; undefined when it cannot be reached. */
function latestChecker(client: RegistryClient, offline: boolean) {
  let down = false;
  return {
    get down() {
      return down;
    },
    async latest(name: string): Promise<string | null | undefined> {
      if (offline) return null;
      if (down) return undefined;
      try {
        const packument = await client.packument(name);
        return packument ? resolveVersion(packument, "*", KERNEL_VERSION).version : null;
      } catch (error) {
        if (isBuntimeError(error, "BUNTIME_ERR_CLIENT_UNREACHABLE")) down = true;
        return undefined;
      }
    },
  };
}

function describe(p: Row, offline: boolean): string {
  const update = p.update ? `  (update: ${p.latest})` : p.update === null && !offline ? "  (update: ?)" : "";
  const state =
    p.source === "bundled"
      ? `  ${p.status}`
      : p.loaded === null
        ? ""
        : p.loaded
          ? "  loaded"
          : "  not loaded";
  return `  ${p.name}@${p.version}${state}${update}${p.previous ? `  (rollback: ${p.previous})` : ""}`;
}

/** `buntime plugin list`. */
export async function runList(args: string[]): Promise<number> {
  const { values } = parseCommand(args, { ...HOME_OPTIONS, offline: { type: "boolean" } });
  return runCommand("plugin list", values, LIST_HELP, async (out) => {
    const context = cliContext(values);
    announceHome(out, context.resolvedHome, true);
    const { home } = context;
    const lock = await readLock(home);
    const history = readHistory(home);
    const kernel = await findKernel(home).catch((error: Error) => void out.note(error.message));
    const loaded = new Map((await kernel?.loaded().catch(() => []))?.map((p) => [p.name, p]) ?? []);
    const checker = latestChecker(context.client, values.offline === true);
    const row = async (name: string, version: string, source: Row["source"]): Promise<Row> => {
      const latest = await checker.latest(name);
      const running = loaded.get(name);
      return {
        name,
        version,
        source,
        path: source === "installed" ? join(home, "plugins", name, version) : null,
        previous: source === "installed" ? (history[name]?.version ?? null) : null,
        loaded: kernel ? running?.version === version : null,
        status: running?.status ?? null,
        latest: latest ?? null,
        update: latest ? semver.gt(latest, version) : latest === undefined ? null : false,
      };
    };
    const plugins: Row[] = [];
    for (const [name, entry] of Object.entries(lock.plugins).sort(([a], [b]) => a.localeCompare(b)))
      plugins.push(await row(name, entry.version, "installed"));
    const bundled = [...loaded.values()]
      .filter((p) => !lock.plugins[p.name])
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const p of bundled) plugins.push(await row(p.name, p.version, "bundled"));
    if (checker.down) out.note(`registry ${context.registry} is unreachable: updates unknown`);
    const offline = values.offline === true;
    const sections = [];
    const installed = plugins.filter((p) => p.source === "installed");
    if (installed.length)
      sections.push(
        `installed in ${join(home, "plugins")}:\n${installed.map((p) => describe(p, offline)).join("\n")}`,
      );
    else sections.push(`no plugins installed in ${home}`);
    if (kernel && bundled.length)
      sections.push(
        `bundled with the kernel at ${kernel.url} (from its plugin folders or distribution):\n${plugins
          .filter((p) => p.source === "bundled")
          .map((p) => describe(p, offline))
          .join("\n")}`,
      );
    out.result({ home, kernel: kernel?.url ?? null, plugins }, sections.join("\n"));
    return 0;
  });
}
