/**
 * The start-up probe: one trivial sandbox started for real (user switch, cgroup join, mounts,
 * IPC, a write to /data). Its failure becomes BUNTIME_ERR_POOL_SANDBOX_UNAVAILABLE with bwrap's
 * own words and the fix; the kernel never falls back to running apps unsandboxed.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BuntimeError } from "@buntime/sdk";
import { type SpawnContext, spawnSandboxed } from "./spawn.ts";

const PROBE_TIMEOUT_MS = 10_000;
const PROBE_SCRIPT = `require("fs").writeFileSync("/data/probe", "ok"); process.on("message", () => process.exit(0)); process.send("ready");`;

/** The fix the refusal names for a missing bwrap. */
export const INSTALL_FIX =
  "install the Debian package bubblewrap (apt-get install bubblewrap) or pass its path as bwrap";
/** The fix the refusal names when bwrap is there but cannot build the sandbox. */
export const NAMESPACE_FIX =
  "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces > 0); " +
  "in Docker run with --security-opt seccomp=unconfined --security-opt apparmor=unconfined (or a seccomp profile that " +
  "allows clone/unshare with CLONE_NEWUSER) or --cap-add SYS_ADMIN; in Kubernetes set the container's " +
  "securityContext.seccompProfile to Unconfined or such a profile (docs/sandbox.md)";

/** The refusal at start. */
export function unavailable(reason: string, fix: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_POOL_SANDBOX_UNAVAILABLE", { reason, fix });
}

/** Starts one trivial sandbox; resolves when it answered and ended well, else rejects with the refusal. */
export async function probeSandbox(context: SpawnContext): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "buntime-sandbox-probe-"));
  try {
    // The dedicated user must reach the bound folders: the probe root and the app folder are world-readable.
    chmodSync(root, 0o755);
    mkdirSync(join(root, "app"), { mode: 0o755 });
    let ready = false;
    let exitNote = "";
    let sandboxed: ReturnType<typeof spawnSandboxed> | undefined;
    sandboxed = spawnSandboxed(
      {
        name: "probe",
        appDir: join(root, "app"),
        dataDir: join(root, "data"),
        runtimeDir: join(root, "app"),
        argv: ["-e", PROBE_SCRIPT],
        env: {},
        limits: { memory: 256 * 1024 * 1024, pids: 64, cpu: 0 },
        onMessage: (message) => {
          ready = message === "ready";
          sandboxed?.send("done");
        },
        onExit: (exit) => {
          exitNote = `exit code ${exit.code}${exit.signal ? `, signal ${exit.signal}` : ""}`;
        },
      },
      context,
      "pipe",
    );
    const stderr = sandboxed.stderr ? new Response(sandboxed.stderr).text() : Promise.resolve("");
    const timer = setTimeout(() => sandboxed?.kill(), PROBE_TIMEOUT_MS);
    await sandboxed.exited;
    clearTimeout(timer);
    const output = (await stderr).trim();
    if (!ready || exitNote !== "exit code 0") {
      const said = output ? `bwrap said: ${output.split("\n").slice(0, 3).join(" / ")}` : "no output";
      throw unavailable(`a test sandbox did not start (${exitNote || "timeout"}; ${said})`, NAMESPACE_FIX);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
