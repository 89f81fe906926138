/**
 * What this host offers the sandbox: the tools (bwrap, setpriv, prlimit, sh), whether the kernel
 * may switch users, and how the root folders that link into /usr look (merged-/usr or not).
 */
import { existsSync, lstatSync, readFileSync, readlinkSync } from "node:fs";

/** The host tools and layout the command builder needs, all as absolute paths. */
export interface HostLayout {
  readonly bwrap: string;
  readonly sh: string;
  readonly env: string;
  /** Present when the kernel can switch users (then `user` is "dedicated"). */
  readonly setpriv?: string;
  readonly prlimit?: string;
  /** The bun binary the children run, bound at /bun. */
  readonly bun: string;
  /** bwrap arguments that recreate /lib, /lib64, /bin, ... as on the host. */
  readonly rootLinks: readonly string[];
  /** bwrap ≥ 0.7 can size a tmpfs (`--size`); older ones leave /tmp and /dev/shm unsized. */
  readonly tmpfsSize: boolean;
}

const ROOT_FOLDERS = ["/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin"];
// CAP_CHOWN (0), CAP_SETGID (6) and CAP_SETUID (7): enough to give each sandbox a user of its own.
const SWITCH_USER_CAPS = (1n << 0n) | (1n << 6n) | (1n << 7n);

/** True when the kernel is root or holds CAP_SETUID, CAP_SETGID and CAP_CHOWN. */
export function canSwitchUser(): boolean {
  if (process.geteuid?.() === 0) return true;
  const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
  return match !== null && (BigInt(`0x${match[1]}`) & SWITCH_USER_CAPS) === SWITCH_USER_CAPS;
}

/** `--symlink`/`--ro-bind` arguments mirroring the host's /lib, /bin, ...: links stay links, real folders are bound. */
export function rootLinkArgs(): string[] {
  const args: string[] = [];
  for (const path of ROOT_FOLDERS) {
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(path);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push("--symlink", readlinkSync(path), path);
    else if (stat.isDirectory()) args.push("--ro-bind", path, path);
  }
  return args;
}

/** True when `bwrap --version` says 0.7 or later (an unreadable answer counts as new enough: the probe will tell). */
function canSizeTmpfs(bwrap: string): boolean {
  const output = Bun.spawnSync([bwrap, "--version"], { stdout: "pipe", stderr: "ignore" }).stdout.toString();
  const match = /(\d+)\.(\d+)/.exec(output);
  if (!match) return true;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 0 || minor >= 7;
}

/** A tool's absolute path: an explicit path must exist, a bare name is looked up on PATH. */
function locate(name: string): string | undefined {
  if (name.includes("/")) return existsSync(name) ? name : undefined;
  return Bun.which(name) ?? undefined;
}

/**
 * The host layout, or the reason the sandbox cannot run here (a missing tool).
 * `switchUser` asks for setpriv and prlimit as well.
 */
export function findHostLayout(bwrapOption: string | undefined, switchUser: boolean): HostLayout | string {
  const bwrap = locate(bwrapOption ?? "bwrap");
  if (!bwrap) return `bwrap not found (${bwrapOption ?? "looked up on PATH"})`;
  const sh = locate("/bin/sh");
  const env = locate("/usr/bin/env");
  if (!sh || !env) return "/bin/sh or /usr/bin/env is missing";
  const layout = {
    bwrap,
    sh,
    env,
    bun: process.execPath,
    rootLinks: rootLinkArgs(),
    tmpfsSize: canSizeTmpfs(bwrap),
  };
  if (!switchUser) return layout;
  const setpriv = locate("setpriv");
  const prlimit = locate("prlimit");
  if (!setpriv || !prlimit) return "setpriv or prlimit not found (they give each sandbox a user of its own)";
  return { ...layout, setpriv, prlimit };
}
