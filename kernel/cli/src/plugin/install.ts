import { BuntimeError } from "@buntime/sdk";
import { HOME_OPTIONS, parseCommand, usage } from "../common/args.ts";
import { cliContext } from "../common/context.ts";
import { announceHome } from "../common/home.ts";
import { type Output, runCommand } from "../common/output.ts";
import { SIGNATURE_POLICIES, type SignaturePolicy } from "../common/settings.ts";
import { type InstallResult, installPlugins } from "../install/apply.ts";
import { parseSpec } from "../install/plan.ts";
import { planReport } from "../install/plan-report.ts";

/** The `--help` text of `buntime plugin install`. */
export const INSTALL_HELP = `Usage: buntime plugin install <name>[@range]... [options]

Resolves each plugin (and its plugin dependencies) to the highest version that satisfies the
range and this kernel, downloads it, verifies its integrity and signatures, installs it into
<home>/plugins/<name>/<version>/, updates <home>/plugins/lock.json and, when a kernel runs on
the home, loads it without a restart. Any failure leaves the home as it was.

Options:
  --home <dir>            Buntime home (env BUNTIME_HOME; default: the nearest .buntime or
                          buntime.config.json from here up, else ./.buntime)
  --config <file>         kernel settings file (to find the home)
  --registry <url>        registry (default: BUNTIME_REGISTRY, the CLI settings, http://127.0.0.1:4873/)
  --signatures <policy>   publisher | registry | none (default: the CLI settings, else registry)
  --plan                  only resolve: show what would be installed, its permissions and signatures
  --json                  print the result as JSON
`;

/** The signature policy of a run: the flag, else `BUNTIME_SIGNATURE_POLICY`, else the settings'. */
export function policyOf(flag: string | undefined, configured: SignaturePolicy): SignaturePolicy {
  const value = flag ?? process.env.BUNTIME_SIGNATURE_POLICY ?? configured;
  if (!(SIGNATURE_POLICIES as readonly string[]).includes(value)) {
    throw new BuntimeError("BUNTIME_ERR_CLI_USAGE", {
      details: `--signatures must be one of ${SIGNATURE_POLICIES.join(", ")}, got ${value}`,
    });
  }
  return value as SignaturePolicy;
}

/** Prints what an install or upgrade did. */
export function reportInstall(out: Output, result: InstallResult, nothing: string): void {
  const lines = result.installed.map((p) => {
    const from = p.previous ? ` (was ${p.previous})` : "";
    const signed = p.signed.publisher
      ? `signed by ${p.signed.publisher}`
      : p.signed.registry
        ? "registry-signed"
        : "unsigned";
    const wants = [
      ...p.permissions.network.map((host) => `network ${host}`),
      ...p.permissions.env.map((name) => `env ${name}`),
      ...(p.permissions.storage ? ["storage"] : []),
    ];
    const asks = wants.length ? `\n    may use: ${wants.join(", ")}` : "";
    return `+ ${p.name}@${p.version}${from}, ${signed}${p.wantedBy === "you" ? "" : `, for ${p.wantedBy}`}${asks}`;
  });
  const tail = result.kernel
    ? `loaded into the kernel at ${result.kernel}`
    : "no kernel running on this home: it loads them at its next start";
  out.result(result, lines.length ? `${lines.join("\n")}\n${tail}` : nothing);
}

/** `buntime plugin install <name>[@range]...`. */
export async function runInstall(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    ...HOME_OPTIONS,
    signatures: { type: "string" },
    plan: { type: "boolean" },
  });
  return runCommand("plugin install", values, INSTALL_HELP, async (out) => {
    if (positionals.length === 0)
      usage("plugin install needs at least one plugin name, e.g. buntime plugin install auth");
    const context = cliContext(values);
    announceHome(out, context.resolvedHome, false);
    const policy = policyOf(values.signatures, context.settings.signaturePolicy);
    if (values.plan) {
      const report = await planReport(context, positionals.map(parseSpec), { policy });
      const lines = report.plugins.map(
        (p) =>
          `would ${p.replaces ? `upgrade ${p.name} ${p.replaces} -> ${p.version}` : `install ${p.name}@${p.version}`}`,
      );
      out.result(report, lines.length ? lines.join("\n") : "already installed: nothing to do");
      return 0;
    }
    const result = await installPlugins(context, out, positionals.map(parseSpec), { policy });
    reportInstall(out, result, "already installed: nothing to do");
    return 0;
  });
}
