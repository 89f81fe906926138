/**
 * The sandbox's command line: an optional cgroup join in sh, then (for a dedicated user)
 * prlimit and setpriv, then bwrap with the mounts. bwrap's own arguments, including the app's
 * environment, travel on its stdin (`--args 0`): nothing secret shows in `ps`, and the tools that
 * run before the user switch never see the app's variables (an app's LD_PRELOAD must not reach
 * a root process).
 */
import type { HostLayout } from "./host.ts";
import type { SandboxSpec } from "./types.ts";

/** Paths inside the sandbox. */
export const INSIDE = {
  bun: "/bun",
  app: "/app",
  data: "/data",
  runtime: "/buntime",
  egress: "/run/buntime/egress.sock",
} as const;

/** The most /dev/shm (POSIX shared memory) may hold. */
const SHM_MAX_BYTES = 64 * 1024 * 1024;

/** What to spawn: the argv and the bytes to write on its stdin. */
export interface SandboxCommand {
  readonly argv: readonly string[];
  readonly stdin: Uint8Array;
}

/** How this one sandbox runs: its uid when dedicated, the cgroup files to join. */
export interface CommandContext {
  readonly host: HostLayout;
  readonly uid?: number;
  readonly procsFiles: readonly string[];
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** sh that writes its own pid into each cgroup before it execs the rest, so every later task is inside. */
function joinCgroups(sh: string, procsFiles: readonly string[]): string[] {
  if (procsFiles.length === 0) return [];
  const files = procsFiles.map(shellQuote).join(" ");
  const script = `for f in ${files}; do echo $$ > "$f" || { echo "buntime sandbox: cannot join cgroup $f" >&2; exit 125; }; done; exec "$@"`;
  return [sh, "-c", script, "sh"];
}

/** prlimit and setpriv: the task limit and the dedicated user, with no groups, capabilities or new privileges. */
function switchUser(host: HostLayout, uid: number, pids: number): string[] {
  if (!host.setpriv || !host.prlimit) throw new Error("a dedicated user needs setpriv and prlimit");
  return [
    host.prlimit,
    `--nproc=${pids}:${pids}`,
    "--",
    host.setpriv,
    `--reuid=${uid}`,
    `--regid=${uid}`,
    "--clear-groups",
    "--no-new-privs",
    "--inh-caps=-all",
    "--bounding-set=-all",
  ];
}

/** bwrap's options: the namespaces, the mounts and the environment. */
export function bwrapArgs(spec: SandboxSpec, host: HostLayout): string[] {
  const args = ["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"];
  args.push("--ro-bind", "/usr", "/usr", ...host.rootLinks);
  args.push("--ro-bind", host.bun, INSIDE.bun);
  args.push("--ro-bind", spec.appDir, INSIDE.app);
  args.push("--bind", spec.dataDir, INSIDE.data);
  args.push("--ro-bind", spec.runtimeDir, INSIDE.runtime);
  for (const folder of spec.folders ?? []) args.push("--ro-bind", folder.source, folder.target);
  if (spec.egressSocket) args.push("--ro-bind", spec.egressSocket, INSIDE.egress);
  args.push("--proc", "/proc", "--dev", "/dev");
  // Sizes on the writable tmpfs mounts: files there are memory that no RSS sample would see.
  const size = (bytes: number) => (host.tmpfsSize ? ["--size", String(bytes)] : []);
  args.push(...size(spec.limits.memory), "--tmpfs", "/tmp");
  args.push(...size(Math.min(spec.limits.memory, SHM_MAX_BYTES)), "--tmpfs", "/dev/shm");
  // The root bwrap builds and /dev are tmpfs too: read-only, so /data, /tmp and /dev/shm are the only places to write.
  args.push("--remount-ro", "/dev", "--remount-ro", "/");
  args.push("--chdir", INSIDE.app);
  const env = { ...spec.env, HOME: INSIDE.data, TMPDIR: "/tmp" };
  for (const [name, value] of Object.entries(env)) args.push("--setenv", name, value);
  return args;
}

/** The program bwrap starts (it must follow `--` on the real command line: bwrap ignores a command inside --args). */
function program(spec: SandboxSpec, host: HostLayout): string[] {
  // bwrap sets PWD after --chdir; env -u takes it away again unless the app asked for one.
  const unsetPwd = "PWD" in spec.env ? [] : [host.env, "-u", "PWD"];
  return ["--", ...unsetPwd, INSIDE.bun, ...spec.argv];
}

/** The full command for one sandbox. */
export function sandboxCommand(spec: SandboxSpec, context: CommandContext): SandboxCommand {
  const { host, uid, procsFiles } = context;
  const argv = [
    ...joinCgroups(host.sh, procsFiles),
    ...(uid === undefined ? [] : switchUser(host, uid, spec.limits.pids)),
    host.bwrap,
    "--args",
    "0",
    ...program(spec, host),
  ];
  const stdin = new TextEncoder().encode(
    bwrapArgs(spec, host)
      .map((arg) => `${arg}\0`)
      .join(""),
  );
  return { argv, stdin };
}
