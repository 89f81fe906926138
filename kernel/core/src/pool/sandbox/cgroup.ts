/**
 * The cgroup limiter: one folder for this kernel under its own cgroup, one child per sandbox
 * with memory, pids and CPU limits. The sandbox's first process joins its group before it
 * starts anything (see command.ts), so no task escapes the limits.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { findOwnCgroups } from "./cgroup-mounts.ts";
import type { SandboxLimits } from "./types.ts";

/** One sandbox's cgroup. */
export interface CgroupGroup {
  /** True when the group limits tasks (else the watchdog counts them). */
  readonly limitsPids: boolean;
  /** Files the sandbox's first process writes its pid into. */
  readonly procsFiles: readonly string[];
  /** Bytes charged to the group now. */
  memory(): number;
  /** True when the OOM killer ran in the group. */
  oomKilled(): boolean;
  /** SIGKILLs every task in the group but `spare` (the outer bwrap, left to reap its child). */
  kill(spare: number): void;
  /** Removes the group's folders (after its tasks are gone). */
  remove(): Promise<void>;
}

/** Creates and cleans up sandbox cgroups. */
export interface CgroupLimiter {
  readonly kind: "cgroup-v2" | "cgroup-v1";
  create(name: string, limits: SandboxLimits): CgroupGroup;
  close(): Promise<void>;
}

const PERIOD_US = 100_000;
const KERNEL_LEAF = `buntime-kernel-${process.pid}`;

function read(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function write(path: string, value: string): boolean {
  try {
    writeFileSync(path, value);
    return true;
  } catch {
    return false;
  }
}

/** The number after `key` in a flat-keyed file such as memory.events. */
function keyed(text: string, key: string): number {
  return Number(new RegExp(`^${key} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
}

function killTasks(procsFile: string, spare: number): void {
  for (const pid of read(procsFile)
    .split("\n")
    .filter((pid) => pid && Number(pid) !== spare)) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // gone already
    }
  }
}

/** rmdir, retried while the last tasks of a killed group finish exiting (bounded). */
async function removeFolder(path: string): Promise<void> {
  for (let attempt = 0; attempt < 50 && existsSync(path); attempt++) {
    try {
      rmdirSync(path);
      return;
    } catch {
      await Bun.sleep(20);
    }
  }
}

/**
 * Numbers the groups of every limiter in the process: two pools (two kernels in one process)
 * share the kernel's cgroup folder, and their sandboxes' names can be the same.
 */
let seq = 0;

/** A group's folder name: the sandbox's name with only safe characters, plus a sequence number. */
function groupName(name: string, n: number): string {
  return `${name.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64)}-${n}`;
}

/** Removes the empty folders a kernel that died without close() left behind (its pid is gone). */
function removeStaleFolders(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^buntime-(\d+)$/.exec(name)?.[1];
    if (!pid || existsSync(`/proc/${pid}`)) continue;
    const folder = join(parent, name);
    for (const group of readdirSync(folder, { withFileTypes: true })) {
      if (group.isDirectory()) tryRmdir(join(folder, group.name));
    }
    tryRmdir(folder);
  }
}

function tryRmdir(path: string): void {
  try {
    rmdirSync(path);
  } catch {
    // still in use, or not ours to remove
  }
}

/** Makes `folder` for this kernel, or undefined when the cgroup is not writable here. */
function makeKernelFolder(parent: string): string | undefined {
  removeStaleFolders(parent);
  const folder = join(parent, `buntime-${process.pid}`);
  try {
    mkdirSync(folder);
    return folder;
  } catch {
    return existsSync(folder) ? folder : undefined;
  }
}

const V2_WANTED = ["memory", "pids"];

/** The controllers enabled for `folder`'s children. */
function enabledFor(folder: string): string[] {
  // A leading "+" is tolerated: a stand-in folder (tests) keeps what was written.
  return read(join(folder, "cgroup.subtree_control"))
    .split(/\s+/)
    .map((token) => token.replace(/^\+/, ""));
}

/** Enables memory, pids and (if offered) cpu for `folder`'s children; true when memory and pids are on. */
function enableControllers(folder: string): boolean {
  const file = join(folder, "cgroup.subtree_control");
  if (!write(file, "+memory +pids +cpu")) {
    for (const controller of ["memory", "pids", "cpu"]) write(file, `+${controller}`);
  }
  return V2_WANTED.every((controller) => enabledFor(folder).includes(controller));
}

/**
 * cgroup v2: controllers must be enabled in the parent's subtree_control, which the kernel's
 * own cgroup allows only when it holds no processes itself; if it does, the kernel moves those
 * processes (itself and, in a container, the init) into a leaf of their own first, keeping their
 * place in the hierarchy (see docs/sandbox.md).
 */
function enableV2(parent: string): boolean {
  if (V2_WANTED.every((controller) => enabledFor(parent).includes(controller)) || enableControllers(parent)) {
    return true;
  }
  const leaf = join(parent, KERNEL_LEAF);
  if (!existsSync(leaf) && !makeLeaf(leaf)) return false;
  if (!write(join(leaf, "cgroup.procs"), String(process.pid))) return false;
  for (const pid of read(join(parent, "cgroup.procs")).split("\n").filter(Boolean)) {
    write(join(leaf, "cgroup.procs"), pid);
  }
  return enableControllers(parent);
}

function makeLeaf(path: string): boolean {
  try {
    mkdirSync(path);
    return true;
  } catch {
    return false;
  }
}

function createV2(own: string): CgroupLimiter | undefined {
  // A kernel (or a kernel it started) that lives in a kernel leaf uses the leaf's parent.
  const parent = /^buntime-kernel-\d+$/.test(basename(own)) ? dirname(own) : own;
  const available = read(join(parent, "cgroup.controllers")).split(/\s+/);
  if (!V2_WANTED.every((controller) => available.includes(controller)) || !enableV2(parent)) return undefined;
  const folder = makeKernelFolder(parent);
  if (!folder || !enableControllers(folder)) return undefined;
  return {
    kind: "cgroup-v2",
    create(name, limits) {
      const path = join(folder, groupName(name, ++seq));
      mkdirSync(path);
      if (
        !write(join(path, "memory.max"), String(limits.memory)) ||
        !write(join(path, "pids.max"), String(limits.pids))
      ) {
        throw new Error(`cannot set memory.max and pids.max in ${path}`);
      }
      write(join(path, "memory.swap.max"), "0");
      if (limits.cpu > 0) write(join(path, "cpu.max"), `${Math.ceil(limits.cpu * PERIOD_US)} ${PERIOD_US}`);
      return {
        limitsPids: true,
        procsFiles: [join(path, "cgroup.procs")],
        memory: () => Number(read(join(path, "memory.current")) || 0),
        oomKilled: () => keyed(read(join(path, "memory.events")), "oom_kill") > 0,
        kill: (spare) => killTasks(join(path, "cgroup.procs"), spare),
        remove: () => removeFolder(path),
      };
    },
    close: () => removeFolder(folder),
  };
}

function createV1(controllers: ReadonlyMap<string, string>): CgroupLimiter | undefined {
  const folders = new Map<string, string>();
  for (const controller of ["memory", "pids", "cpu"]) {
    const own = controllers.get(controller);
    const folder = own && makeKernelFolder(own);
    if (folder) folders.set(controller, folder);
  }
  const memoryFolder = folders.get("memory");
  if (!memoryFolder) return undefined;
  return {
    kind: "cgroup-v1",
    create(name, limits) {
      const leaf = groupName(name, ++seq);
      const paths = new Map([...folders].map(([controller, folder]) => [controller, join(folder, leaf)]));
      for (const path of paths.values()) mkdirSync(path);
      const memory = join(memoryFolder, leaf);
      if (!write(join(memory, "memory.limit_in_bytes"), String(limits.memory))) {
        throw new Error(`cannot set memory.limit_in_bytes in ${memory}`);
      }
      // Without swap accounting (no memsw file) swap is not limited: docs/sandbox.md says so.
      write(join(memory, "memory.memsw.limit_in_bytes"), String(limits.memory));
      const pids = paths.get("pids");
      if (pids) write(join(pids, "pids.max"), String(limits.pids));
      const cpu = paths.get("cpu");
      if (cpu && limits.cpu > 0) {
        write(join(cpu, "cpu.cfs_period_us"), String(PERIOD_US));
        write(join(cpu, "cpu.cfs_quota_us"), String(Math.ceil(limits.cpu * PERIOD_US)));
      }
      return {
        limitsPids: pids !== undefined,
        procsFiles: [...paths.values()].map((path) => join(path, "cgroup.procs")),
        memory: () => Number(read(join(memory, "memory.usage_in_bytes")) || 0),
        oomKilled: () => keyed(read(join(memory, "memory.oom_control")), "oom_kill") > 0,
        kill: (spare) => killTasks(join(memory, "cgroup.procs"), spare),
        remove: async () => {
          await Promise.all([...paths.values()].map(removeFolder));
        },
      };
    },
    close: async () => {
      await Promise.all([...folders.values()].map(removeFolder));
    },
  };
}

/**
 * The cgroup limiter this host allows: v2 when the kernel's v2 cgroup offers memory and pids
 * controllers and can be written, else v1 when the memory controller's folder can be written;
 * undefined otherwise (or when `root` is ""), and the watchdog limits instead.
 */
export function createCgroupLimiter(root?: string): CgroupLimiter | undefined {
  if (root === "") return undefined;
  const own = findOwnCgroups(root);
  return (own.unified && createV2(own.unified)) || createV1(own.v1);
}
