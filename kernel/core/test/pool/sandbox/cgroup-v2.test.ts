/**
 * The cgroup v2 limiter's bookkeeping, against a stand-in v2 folder (`cgroupRoot`), so it runs
 * on hosts whose controllers are on v1: it must pick v2, write each sandbox's limits under a
 * folder of its own and make the sandbox's first process join it. Enforcement itself is the
 * kernel's; on a v2 host the other suites exercise it for real.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSandbox } from "../../../src/pool/sandbox/index.ts";
import { MiB, makeHostFolders, NO_BWRAP, startChild } from "./support.ts";

const ownV2Path = /^0::(.*)$/m.exec(readFileSync("/proc/self/cgroup", "utf8"))?.[1];

describe.skipIf(NO_BWRAP || ownV2Path === undefined)("the cgroup v2 limiter", () => {
  const folders = makeHostFolders();
  afterAll(() => folders.dispose());

  it("writes memory.max, memory.swap.max, pids.max and cpu.max, and the sandbox joins cgroup.procs", async () => {
    const cgroupRoot = join(folders.root, "cgroup");
    const own = join(cgroupRoot, ownV2Path ?? "/");
    mkdirSync(own, { recursive: true });
    writeFileSync(join(own, "cgroup.controllers"), "cpuset cpu io memory pids");
    writeFileSync(join(own, "cgroup.subtree_control"), "memory pids cpu");
    const sandbox = await createSandbox({ cgroupRoot });
    try {
      expect(sandbox.limiter).toBe("cgroup-v2");
      const child = await startChild(sandbox, folders, { limits: { memory: 96 * MiB, pids: 32, cpu: 0.5 } });
      const kernelFolder = join(own, `buntime-${process.pid}`);
      expect(readFileSync(join(kernelFolder, "cgroup.subtree_control"), "utf8")).toBe("+memory +pids +cpu");
      const group = join(
        kernelFolder,
        readdirSync(kernelFolder).find((name) => name.startsWith("test-app_1.0.0_1-")) ?? "missing",
      );
      const file = (name: string) => readFileSync(join(group, name), "utf8");
      expect(file("memory.max")).toBe(String(96 * MiB));
      expect(file("memory.swap.max")).toBe("0");
      expect(file("pids.max")).toBe("32");
      expect(file("cpu.max")).toBe("50000 100000");
      expect(file("cgroup.procs").trim()).toBe(String(child.process.pid));
      child.process.kill();
      await child.exit;
    } finally {
      await sandbox.close();
    }
  }, 20_000);
});
