/**
 * Applies a plan by running the CLI command it stands for, and turns what the CLI prints into
 * the job's steps. The CLI and the kernel make it all or nothing: the kernel loads the new
 * versions beside the old ones and swaps them only when every `setup` succeeded and every
 * declared health check (`buntime.health`) answered 2xx, the CLI puts the home back on any
 * failure, so a failed step leaves the old version serving. A failed health check fails the
 * health step; after the CLI succeeds, the health step checks that the kernel runs each new version.
 */
import type { AuditTrail } from "./audit.ts";
import { cliFailure, runCli } from "./cli-runner.ts";
import type { Job } from "./jobs.ts";
import { commonFlags, type Plan, type PlanEnv } from "./plans.ts";

/** The kernel's code for a new version that failed its declared health check (`buntime.health`). */
const HEALTH_FAILED = "BUNTIME_ERR_PLUGIN_HEALTH_FAILED";

/** The steps of each action, in order. */
export const STEPS_OF: Record<Plan["action"], string[]> = {
  install: ["resolve", "download", "verify", "load", "health", "switched"],
  upgrade: ["resolve", "download", "verify", "load", "health", "switched"],
  "update-all": ["resolve", "download", "verify", "load", "health", "switched"],
  rollback: ["load", "health", "switched"],
  remove: ["unload", "removed"],
};

function commandOf(plan: Plan, env: PlanEnv): string[] {
  // flags first, then `--`: whatever a name holds, the CLI reads it as a name, never as a flag
  if (plan.action === "remove") return ["plugin", "remove", ...commonFlags(env, false), "--", plan.name];
  if (plan.action === "rollback") return ["plugin", "rollback", ...commonFlags(env, false), "--", plan.name];
  return [
    "plugin",
    "install",
    ...commonFlags(env, true),
    "--",
    ...plan.steps.map((s) => `${s.name}@${s.version}`),
  ];
}

/** Runs `plan` as `job`, recording the outcome in `trail` under `who`. */
export async function applyPlan(
  env: PlanEnv,
  plan: Plan,
  job: Job,
  trail: AuditTrail,
  who: string,
  accepted: string[],
): Promise<void> {
  const steps = STEPS_OF[plan.action];
  let active = 0;
  const advance = (to: string, detail?: string) => {
    const target = steps.indexOf(to);
    for (; active < target; active++)
      job.emit({ type: "step", step: steps[active] as string, state: "done" });
    job.emit({ type: "step", step: to, state: "active", ...(detail ? { detail } : {}) });
  };
  job.emit({ type: "steps", steps });
  advance(steps[0] as string);
  const onLine = (line: string) => {
    job.emit({ type: "line", text: line });
    if (line.startsWith("resolved ")) advance("download", line.slice(9));
    else if (line.startsWith("loading into the kernel at ")) advance("load");
  };
  const record = (outcome: "done" | "failed", error?: string) =>
    trail.append({
      at: new Date().toISOString(),
      who,
      action: plan.action,
      plugins: plan.steps.map((s) => ({ name: s.name, version: s.version, replaces: s.replaces })),
      permissionsAccepted: accepted,
      outcome,
      ...(error ? { error } : {}),
    });
  let run: Awaited<ReturnType<typeof runCli>>;
  try {
    run = await runCli(env.cli, commandOf(plan, env), { env: env.env, timeoutMs: env.timeoutMs, onLine });
  } catch (error) {
    run = { code: -1, stdout: "", stderr: `buntime: could not run the CLI: ${(error as Error).message}` };
  }
  if (run.code !== 0) {
    const failure = cliFailure(run.stderr);
    // the new version started but failed its declared health check: that is the step that failed
    if (failure.message.includes(`[${HEALTH_FAILED}]`) && steps.includes("health")) advance("health");
    job.emit({ type: "step", step: steps[active] as string, state: "failed", detail: failure.message });
    job.emit({ type: "failed", ...failure });
    record("failed", failure.message);
    return;
  }
  if (plan.action !== "remove") {
    advance("health");
    const running = new Map(env.plugins.list().map((p) => [p.name, p]));
    const broken = plan.steps.filter((s) => {
      const now = running.get(s.name);
      return now && (now.version !== s.version || now.status !== "running");
    });
    if (broken.length > 0) {
      const message = broken
        .map(
          (s) =>
            `${s.name}: the kernel runs ${running.get(s.name)?.version} (${running.get(s.name)?.status})`,
        )
        .join("; ");
      job.emit({ type: "step", step: "health", state: "failed", detail: message });
      job.emit({ type: "failed", message });
      record("failed", message);
      return;
    }
  }
  advance(steps.at(-1) as string);
  job.emit({ type: "step", step: steps.at(-1) as string, state: "done" });
  job.emit({ type: "done", summary: run.stdout.trim() });
  record("done");
}
