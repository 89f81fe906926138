import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliFailure, runCli } from "./cli-runner.ts";
import { CliError, type PlanEnv } from "./plans.ts";

/**
 * The installed set as a `buntime.distro.json`, written by the CLI's own `buntime distro export`
 * (the one implementation; the marketplace is its second front end), so locking and building it
 * gives the same plugins and apps elsewhere.
 */
export async function exportDistribution(env: PlanEnv): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "buntime-export-"));
  try {
    const file = join(dir, "buntime.distro.json");
    const args = ["distro", "export", "--home", env.home, "--registry", env.registry, "--file", file];
    const run = await runCli(env.cli, args, { env: env.env, timeoutMs: env.timeoutMs });
    if (run.code !== 0) throw new CliError(cliFailure(run.stderr));
    return readFileSync(file, "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
