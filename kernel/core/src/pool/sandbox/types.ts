/**
 * The sandbox's public shapes: what the process tier asks for (`SandboxSpec`), what it gets back
 * (`SandboxedProcess`) and the sandbox factory's answer (`Sandbox`). See docs/sandbox.md.
 */

/** OS limits for one sandbox. */
export interface SandboxLimits {
  /** Bytes of memory (RSS plus page cache under cgroups) past which the sandbox is killed. */
  readonly memory: number;
  /** Tasks (processes and threads; Bun itself uses about 4 to 20) the sandbox may run at once. */
  readonly pids: number;
  /** CPU cores, e.g. 0.5; 0 = unlimited. Enforced only under cgroups. */
  readonly cpu: number;
}

/** How a sandbox ended. */
export interface SandboxExit {
  readonly code: number | null;
  readonly signal: string | null;
  /** Set when the sandbox killed it for a limit. */
  readonly limit?: "memory" | "pids";
}

/** One sandboxed child: what it sees, what it runs, its limits and where its events go. */
export interface SandboxSpec {
  /** For cgroup names and messages, e.g. "todo@1.2.0#3" (sanitized before use). */
  readonly name: string;
  /** Host folder, bound read-only at /app. Must be readable by the sandbox's user. */
  readonly appDir: string;
  /** Host folder, created if missing (0700, owned by the sandbox's uid), bound read-write at /data. */
  readonly dataDir: string;
  /** Host folder holding the child's entry script, bound read-only at /buntime. */
  readonly runtimeDir: string;
  /** Host Unix socket path, bound at /run/buntime/egress.sock: the child's only way out. */
  readonly egressSocket?: string;
  /** More host folders, each bound read-only at `target` under `/apps` (a tenant group's apps). */
  readonly folders?: readonly { readonly source: string; readonly target: string }[];
  /** What the bun binary runs inside, e.g. ["/buntime/process-entry.js"]. */
  readonly argv: readonly string[];
  /** The child's whole environment; the sandbox adds only HOME=/data and TMPDIR=/tmp (Bun adds its IPC variables). */
  readonly env: Readonly<Record<string, string>>;
  readonly limits: SandboxLimits;
  /** IPC from the child (advanced serialization: Uint8Array/ArrayBuffer survive). */
  onMessage(message: unknown): void;
  /** Called exactly once. */
  onExit(exit: SandboxExit): void;
}

/** A running sandbox. */
export interface SandboxedProcess {
  /** The host pid of the sandbox's outermost process. */
  readonly pid: number;
  /** Sends over IPC; a no-op once exited. */
  send(message: unknown): void;
  /** SIGKILLs the whole sandbox (every process in it). */
  kill(): void;
  /** Bytes now: cgroup usage, or RSS summed over the sandbox's process tree; 0 if unknown. */
  memory(): number;
}

/** The sandbox factory, after one successful probe. */
export interface Sandbox {
  /** dedicated: a uid of its own per sandbox; kernel: the kernel's uid inside a user namespace. */
  readonly user: "dedicated" | "kernel";
  /** What enforces `limits.memory`: a cgroup, or a kernel-side RSS watchdog. */
  readonly limiter: "cgroup-v2" | "cgroup-v1" | "watchdog";
  spawn(spec: SandboxSpec): SandboxedProcess;
  /** Kills what is left and removes the cgroups. */
  close(): Promise<void>;
}

/** Options of `createSandbox`. */
export interface SandboxOptions {
  /** The bwrap binary. @default the `bwrap` found on PATH */
  readonly bwrap?: string;
  /** Inclusive uid/gid range for dedicated users. @default [200000, 265535] */
  readonly uidRange?: readonly [number, number];
  /** Where cgroup filesystems are mounted; "" turns cgroups off (the watchdog limits). @default from /proc/self/mountinfo */
  readonly cgroupRoot?: string;
  /** Milliseconds between the watchdog's RSS samples. @default 100 */
  readonly watchdogInterval?: number;
}
