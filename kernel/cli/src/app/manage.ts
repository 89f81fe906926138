/** `buntime app list`, `app rollback <name>` and `app remove <name>`: the running kernel's deployed apps. */
import { parseCommand, usage } from "../common/args.ts";
import { runCommand } from "../common/output.ts";
import { deploymentsApiFor } from "./kernel-api.ts";

interface Listed {
  name: string;
  active?: string;
  versions: Array<{ version: string; active: boolean; deployedBy?: string; deployedAt?: string }>;
}

const KERNEL_OPTIONS = {
  home: { type: "string" },
  config: { type: "string" },
  url: { type: "string" },
} as const;

/** The `--help` text of `buntime app list`. */
export const APP_LIST_HELP = `Usage: buntime app list [--home <dir> | --url <url>] [--json]

The apps deployed into the running kernel: versions, the active one, who deployed each and when.
`;

/** The `--help` text of `buntime app rollback`. */
export const APP_ROLLBACK_HELP = `Usage: buntime app rollback <name> [--home <dir> | --url <url>] [--json]

Makes the version that was active before the current one active again, at once.
`;

/** The `--help` text of `buntime app remove`. */
export const APP_REMOVE_HELP = `Usage: buntime app remove <name> [--version <version>] [--home <dir> | --url <url>] [--json]

Removes one version (not the active one), or without --version the whole app.
`;

function describe(app: Listed): string {
  const lines = app.versions.map(
    (v) => `  ${v.active ? "*" : " "} ${v.version}  ${v.deployedBy ?? "?"}  ${v.deployedAt ?? ""}`,
  );
  return [`${app.name}${app.active ? ` (active ${app.active})` : ""}`, ...lines].join("\n");
}

/** `buntime app list`. */
export async function runAppList(args: string[]): Promise<number> {
  const { values } = parseCommand(args, KERNEL_OPTIONS);
  return runCommand("app list", values, APP_LIST_HELP, async (out) => {
    const api = await deploymentsApiFor(values, out);
    const { apps } = (await api("GET", "")) as { apps: Listed[] };
    out.result({ apps }, apps.length === 0 ? "no apps deployed" : apps.map(describe).join("\n"));
    return 0;
  });
}

/** `buntime app rollback <name>`. */
export async function runAppRollback(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, KERNEL_OPTIONS);
  return runCommand("app rollback", values, APP_ROLLBACK_HELP, async (out) => {
    const [name] = positionals;
    if (!name) usage("app rollback needs an app name");
    const api = await deploymentsApiFor(values, out);
    const app = (await api("POST", `/${encodeURIComponent(name)}/rollback`)) as Listed;
    out.result(app, `${name} is back on ${app.active}`);
    return 0;
  });
}

/** `buntime app remove <name> [--version v]`. */
export async function runAppRemove(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { ...KERNEL_OPTIONS, version: { type: "string" } });
  return runCommand("app remove", values, APP_REMOVE_HELP, async (out) => {
    const [name] = positionals;
    if (!name) usage("app remove needs an app name");
    const api = await deploymentsApiFor(values, out);
    const path = `/${encodeURIComponent(name)}${values.version ? `/versions/${encodeURIComponent(values.version)}` : ""}`;
    await api("DELETE", path);
    const what = values.version ? `${name}@${values.version}` : name;
    out.result({ removed: what }, `removed ${what}`);
    return 0;
  });
}
