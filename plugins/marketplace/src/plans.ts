/**
 * Plans and their application. A plan says what an action would do (the resolved set, the
 * permission diff, kernel compatibility, the signatures to verify) and comes from the CLI
 * itself (`buntime plugin install --plan`), so it is what the install will do. Applying runs
 * the same CLI command without `--plan`.
 */
import { BuntimeError, type KernelPlugins } from "@buntime/sdk";
import { cliFailure, runCli } from "./cli-runner.ts";
import { installedPermissions, readHomeState } from "./home-state.ts";
import { describePermissions, widenedPermissions } from "./permissions.ts";
import type { Permissions } from "./registry.ts";

/** The actions of the marketplace. */
export const ACTIONS = ["install", "upgrade", "update-all", "rollback", "remove"] as const;
/** One of {@link ACTIONS}. */
export type Action = (typeof ACTIONS)[number];

/** One plugin in a plan. */
export interface PlanStep {
  name: string;
  /** `add`, `upgrade`, `downgrade` (a rollback) or `remove`. */
  change: "add" | "upgrade" | "downgrade" | "remove";
  version: string;
  replaces: string | null;
  wantedBy: string;
  kernel: string | null;
  permissions: string[];
  /** What it may do that the installed version may not (consent needed when not empty). */
  widened: string[];
  signatures: { registry: boolean; publisher: string | null };
}

/** A plan, as the page shows it. */
export interface Plan {
  action: Action;
  name: string;
  kernel: string;
  policy: string | null;
  steps: PlanStep[];
  /** Installed plugins that need the one being removed (the CLI refuses then). */
  dependents: string[];
  /** True when any step widens permissions. */
  needsConsent: boolean;
  /** Plugins an "update all" leaves as they are, and why. */
  skipped: { name: string; reason: string }[];
}

/** What plans run against. */
export interface PlanEnv {
  home: string;
  registry: string;
  cli: string[];
  env: Record<string, string>;
  signatures?: string;
  timeoutMs: number;
  plugins: KernelPlugins;
  kernelVersion: string;
}

/** The CLI flags every command of this marketplace passes. */
export function commonFlags(env: PlanEnv, withRegistry: boolean): string[] {
  return [
    "--home",
    env.home,
    ...(withRegistry ? ["--registry", env.registry] : []),
    ...(withRegistry && env.signatures ? ["--signatures", env.signatures] : []),
  ];
}

interface CliPlan {
  kernel: { version: string };
  policy: string;
  plugins: {
    name: string;
    version: string;
    replaces: string | null;
    wantedBy: string;
    kernel: string | null;
    permissions: Permissions;
    previousPermissions: Permissions | null;
    signatures: { registry: boolean; publisher: string | null };
  }[];
}

/** A refusal or failure of the CLI, in its own words (the line it printed, its code and hint). */
export class CliError extends Error {
  constructor(readonly failure: { message: string; code?: string; hint?: string }) {
    super(failure.message);
  }
  /** As the API answers it: 409 for a refusal the person can act on, 400 otherwise. */
  getResponse(): Response {
    const status = this.failure.code === "BUNTIME_ERR_CLIENT_UNREACHABLE" ? 502 : 409;
    return Response.json({ error: { ...this.failure, code: this.failure.code ?? null } }, { status });
  }
}

/** The CLI's failure from what it printed on stderr. */
export function cliError(stderr: string): CliError {
  return new CliError(cliFailure(stderr));
}

/** A refusal this marketplace found before running the CLI, worded as the CLI words it. */
function refusal(action: Action, error: BuntimeError): CliError {
  return new CliError({
    message: `buntime plugin ${action}: ${error.message} [${error.code}]`,
    code: error.code,
  });
}

/** Asks the CLI what installing `specs` would do. */
async function installPlan(env: PlanEnv, action: Action, name: string, specs: string[]): Promise<Plan> {
  const run = await runCli(
    env.cli,
    ["plugin", "install", "--plan", "--json", ...commonFlags(env, true), "--", ...specs],
    {
      env: env.env,
      timeoutMs: env.timeoutMs,
    },
  );
  if (run.code !== 0) {
    const parsed = JSON.parse(run.stdout || "{}") as {
      error?: { message?: string; code?: string; hint?: string };
    };
    const message = parsed.error?.message
      ? `buntime plugin install: ${parsed.error.message} [${parsed.error.code}]${parsed.error.hint ? `\n  hint: ${parsed.error.hint}` : ""}`
      : run.stderr;
    throw cliError(message);
  }
  const report = JSON.parse(run.stdout) as CliPlan;
  const steps: PlanStep[] = report.plugins.map((p) => ({
    name: p.name,
    change: p.replaces ? "upgrade" : "add",
    version: p.version,
    replaces: p.replaces,
    wantedBy: p.wantedBy,
    kernel: p.kernel,
    permissions: describePermissions(p.permissions),
    widened: p.replaces
      ? widenedPermissions(p.previousPermissions ?? { network: [], env: [], storage: false }, p.permissions)
      : [],
    signatures: p.signatures,
  }));
  return {
    action,
    name,
    kernel: report.kernel.version,
    policy: report.policy,
    steps,
    dependents: [],
    needsConsent: steps.some((s) => s.widened.length > 0),
    skipped: [],
  };
}

/** What "update all" takes (`name@version` each) and what it leaves, with the reason. */
export interface UpdateSet {
  specs: string[];
  skipped: { name: string; reason: string }[];
}

/**
 * The plan of `action` on `name`; `version` pins the version an install or upgrade takes;
 * `updates` is the set an "update all" takes.
 */
export async function makePlan(
  env: PlanEnv,
  action: Action,
  name: string,
  version?: string,
  updates?: UpdateSet,
): Promise<Plan> {
  if (action === "install" || action === "upgrade")
    return installPlan(env, action, name, [version ? `${name}@${version}` : name]);
  if (action === "update-all") {
    const skipped = updates?.skipped ?? [];
    if (!updates?.specs.length)
      return {
        action,
        name,
        kernel: env.kernelVersion,
        policy: null,
        steps: [],
        dependents: [],
        needsConsent: false,
        skipped,
      };
    return { ...(await installPlan(env, action, name, updates.specs)), skipped };
  }
  const home = readHomeState(env.home);
  const current = home.installed.get(name);
  if (!current)
    throw refusal(
      action,
      new BuntimeError("BUNTIME_ERR_INSTALL_NOT_INSTALLED", { package: name, home: env.home }),
    );
  const base = { action, name, kernel: env.kernelVersion, policy: null };
  const currentPermissions = installedPermissions(env.home, name, current);
  if (action === "remove") {
    const dependents = env.plugins
      .list()
      .filter((p) => p.name !== name && Object.hasOwn(p.dependencies, name))
      .map((p) => `${p.name}@${p.version}`);
    const step: PlanStep = {
      name,
      change: "remove",
      version: current,
      replaces: null,
      wantedBy: "you",
      kernel: null,
      permissions: describePermissions(currentPermissions),
      widened: [],
      signatures: { registry: false, publisher: null },
    };
    return { ...base, steps: [step], dependents, needsConsent: false, skipped: [] };
  }
  const previous = home.previous.get(name);
  if (!previous)
    throw refusal(action, new BuntimeError("BUNTIME_ERR_INSTALL_NO_PREVIOUS", { package: name }));
  const previousPermissions = installedPermissions(env.home, name, previous);
  const step: PlanStep = {
    name,
    change: "downgrade",
    version: previous,
    replaces: current,
    wantedBy: "you",
    kernel: null,
    permissions: describePermissions(previousPermissions),
    widened: widenedPermissions(currentPermissions, previousPermissions),
    signatures: { registry: false, publisher: null },
  };
  return { ...base, steps: [step], dependents: [], needsConsent: step.widened.length > 0, skipped: [] };
}
