/**
 * Where this process's cgroups live: the cgroup v2 folder or the cgroup v1 folder of each
 * controller, read from /proc/self/mountinfo and /proc/self/cgroup.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The kernel's own cgroup folders. */
export interface OwnCgroups {
  /** The cgroup v2 folder, when a v2 hierarchy is mounted. */
  readonly unified?: string;
  /** The cgroup v1 folder per controller ("memory", "pids", "cpu"), when mounted. */
  readonly v1: ReadonlyMap<string, string>;
}

interface Mount {
  readonly root: string;
  readonly point: string;
  readonly type: string;
  readonly options: readonly string[];
}

/** mountinfo writes spaces and other odd characters in paths as octal escapes such as \040. */
function unescapeOctal(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

function readMounts(): Mount[] {
  const mounts: Mount[] = [];
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const fields = left.split(" ");
    const [type, , superOptions] = right.split(" ");
    if (type !== "cgroup" && type !== "cgroup2") continue;

    mounts.push({
      root: unescapeOctal(fields[3] ?? "/"),
      point: unescapeOctal(fields[4] ?? ""),
      type,
      options: (superOptions ?? "").split(","),
    });
  }
  return mounts;
}

/** `own` relative to the mount's root: a container may see its own cgroup mounted as "/". */
function inside(mount: Mount, own: string, base: string): string {
  const relative = mount.root !== "/" && own.startsWith(mount.root) ? own.slice(mount.root.length) : own;
  return join(base, relative);
}

/**
 * This process's cgroup folders. `root` replaces the mount points found in mountinfo: v2 at
 * `root`, v1 controllers at `root/<controller>` (for hosts that mount cgroups elsewhere, and tests).
 */
export function findOwnCgroups(root?: string): OwnCgroups {
  const mounts = readMounts();
  const v1 = new Map<string, string>();
  let unified: string | undefined;
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    const [, , controllers = "", own = "/"] = match;
    if (controllers === "") {
      const mount = mounts.find((m) => m.type === "cgroup2");
      if (root !== undefined) unified = join(root, own);
      else if (mount) unified = inside(mount, own, mount.point);
      continue;
    }
    for (const controller of controllers.split(",")) {
      if (root !== undefined) {
        v1.set(controller, join(root, controller, own));
        continue;
      }
      const mount = mounts.find((m) => m.type === "cgroup" && m.options.includes(controller));
      if (mount) v1.set(controller, inside(mount, own, mount.point));
    }
  }
  if (unified && !existsSync(join(unified, "cgroup.controllers"))) unified = undefined;
  return { unified, v1 };
}
