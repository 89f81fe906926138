/**
 * What the sandbox holds a child to, and its refusals: a memory bomb dies with limit "memory"
 * (by cgroup and by the watchdog) while the test process lives on, a fork bomb is bounded,
 * kill() ends a hung child, and a sandbox that cannot be built is a coded error at start.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isBuntimeError } from "@buntime/sdk";
import { createSandbox, type Sandbox, type SandboxSpec } from "../../../src/pool/sandbox/index.ts";
import { MiB, makeHostFolders, NO_BWRAP, startChild } from "./support.ts";

/** True while `pid` runs (a zombie counts as gone: it holds nothing but its pid). */
function live(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

/** Host pids running as `uid`, once the last of a killed sandbox has gone (bounded wait). */
async function processesOf(uid: number): Promise<string[]> {
  let found: string[] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    found = readdirSync("/proc").filter((pid) => {
      if (!/^\d+$/.test(pid)) return false;
      try {
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        return new RegExp(`^Uid:\\s+${uid}\\s`, "m").test(status) && !/^State:\s+Z/m.test(status);
      } catch {
        return false;
      }
    });
    if (found.length === 0) return found;
    await Bun.sleep(20);
  }
  return found;
}

const SMALL = { memory: 96 * MiB, pids: 32, cpu: 0.5 };

describe.skipIf(NO_BWRAP)("sandbox limits", () => {
  let folders: ReturnType<typeof makeHostFolders>;
  let sandbox: Sandbox;
  let watchdogSandbox: Sandbox;

  beforeAll(async () => {
    folders = makeHostFolders();
    sandbox = await createSandbox();
    watchdogSandbox = await createSandbox({ cgroupRoot: "", watchdogInterval: 50 });
  });
  afterAll(async () => {
    await sandbox?.close();
    await watchdogSandbox?.close();
    folders?.dispose();
  });

  it("turns cgroups off with cgroupRoot '' and then limits by watchdog", () => {
    expect(watchdogSandbox.limiter).toBe("watchdog");
  });

  it("never gives two live sandboxes the same uid, even from two Sandboxes", async () => {
    if (sandbox.user !== "dedicated") return;
    const children = await Promise.all(
      [sandbox, watchdogSandbox, sandbox].map((s) => startChild(s, folders)),
    );
    const uids = await Promise.all(children.map((child) => child.ask("uid")));
    for (const child of children) child.process.kill();
    expect(new Set(uids.map((answer) => (answer as { uid: number }).uid)).size).toBe(3);
  });

  for (const which of ["default", "watchdog"] as const) {
    it(`kills a memory bomb with limit "memory" (${which} limiter) and the test process lives on`, async () => {
      const target = which === "default" ? sandbox : watchdogSandbox;
      const child = await startChild(target, folders, { limits: SMALL });
      const answer = child.ask("bomb").catch((error: Error) => error.message);
      const exit = await child.exit;
      expect(await answer).toBe("exited");
      expect(exit.limit).toBe("memory");
      expect(process.memoryUsage().rss).toBeLessThan(1024 * MiB);
    });
  }

  for (const which of ["default", "watchdog"] as const) {
    it(`bounds a fork bomb by its pids limit (${which} limiter)`, async () => {
      await forkBomb(which === "default" ? sandbox : watchdogSandbox);
    });
  }

  async function forkBomb(target: Sandbox): Promise<void> {
    const child = await startChild(target, folders, { limits: SMALL });
    const result = (await child.ask("forks", { limit: 200 }).catch((error: Error) => error.message)) as
      | { started: number; refused: string | null }
      | string;
    if (typeof result === "string") {
      // The watchdog's way: it killed the tree for too many tasks.
      expect((await child.exit).limit).toBe("pids");
    } else {
      expect(result.started).toBeLessThan(SMALL.pids);
      expect(result.refused).not.toBeNull();
    }
    child.process.kill();
    await child.exit;
  }

  it("caps files in /tmp and /dev/shm, which the watchdog's RSS samples do not see", async () => {
    const child = await startChild(watchdogSandbox, folders, { limits: SMALL });
    for (const [path, cap] of [
      ["/tmp/fill", 96],
      ["/dev/shm/fill", 64],
    ] as const) {
      const result = (await child.ask("fill", { path, limit: 200 })) as {
        written: number;
        error: string | null;
      };
      expect(result.error).toBe("ENOSPC");
      expect(result.written).toBeLessThanOrEqual(cap);
    }
    child.process.kill();
    await child.exit;
  });

  it("holds a busy child to its CPU share when cgroups limit", async () => {
    const child = await startChild(sandbox, folders, { limits: { ...SMALL, cpu: 0.2 } });
    const cpuMs = (await child.ask("spin", { limit: 1000 })) as number;
    child.process.kill();
    if (sandbox.limiter === "watchdog") return; // the watchdog does not limit CPU (docs/sandbox.md)
    expect(cpuMs).toBeLessThan(450);
  });

  it("dies with its kernel: nothing of the sandbox outlives a SIGKILLed kernel", async () => {
    const kernel = Bun.spawn(
      [process.execPath, join(import.meta.dir, "fixtures", "kernel.ts"), folders.root],
      {
        stdout: "pipe",
        stderr: "inherit",
      },
    );
    const reader = kernel.stdout.getReader();
    const { value } = await reader.read();
    const started = JSON.parse(new TextDecoder().decode(value)) as { pid: number; uid: number };
    expect(live(started.pid)).toBe(true);
    kernel.kill("SIGKILL");
    await kernel.exited;
    for (let attempt = 0; attempt < 100 && live(started.pid); attempt++) await Bun.sleep(20);
    expect(live(started.pid)).toBe(false);
    if (sandbox.user === "dedicated") expect(await processesOf(started.uid)).toEqual([]);
  });

  it("kill() ends a child stuck in a loop, with every process in it", async () => {
    const child = await startChild(sandbox, folders);
    const { uid } = (await child.ask("uid")) as { uid: number };
    await child.ask("forks", { limit: 3 });
    void child.ask("hang").catch(() => {});
    const pid = child.process.pid;
    expect(child.process.memory()).toBeGreaterThan(0);
    child.process.kill();
    const exit = await child.exit;
    expect(exit.signal).toBe("SIGKILL");
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(child.process.memory()).toBe(0);
    // Not even a zombie: the sandbox's own init is reaped by bwrap, not left to the host's pid 1.
    if (sandbox.user === "dedicated") expect(await processesOf(uid)).toEqual([]);
    child.process.send({ id: 99, op: "env" }); // a no-op once exited
  });

  it("refuses a spec with a relative or missing folder, a bad env name, no argv or no socket, and starts nothing", async () => {
    const dataDir = join(folders.root, "never-made");
    const base = {
      name: "bad",
      appDir: folders.appDir,
      runtimeDir: folders.appDir,
      dataDir,
      argv: ["/app/child.ts"],
    };
    const attempts: Partial<SandboxSpec>[] = [
      { appDir: "relative/app", env: {} },
      { env: { "BAD-NAME": "x" } },
      { env: {}, argv: [] },
      { runtimeDir: join(folders.root, "no-such-runtime") },
      { egressSocket: join(folders.appDir, "child.ts") },
    ];
    for (const attempt of attempts) {
      let caught: unknown;
      try {
        sandbox.spawn({ ...base, env: {}, ...attempt, limits: SMALL, onMessage: () => {}, onExit: () => {} });
      } catch (error) {
        caught = error;
      }
      expect(isBuntimeError(caught, "BUNTIME_ERR_POOL_SANDBOX_SPEC_INVALID")).toBe(true);
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it("refuses a dataDir it cannot make, with a coded error naming it", () => {
    const blocker = join(folders.root, "a-file");
    writeFileSync(blocker, "");
    const dataDir = join(blocker, "data");
    const spawn = () =>
      sandbox.spawn({
        name: "blocked",
        appDir: folders.appDir,
        runtimeDir: folders.appDir,
        dataDir,
        argv: ["/app/child.ts"],
        env: {},
        limits: SMALL,
        onMessage: () => {},
        onExit: () => {},
      });
    expect(spawn).toThrow(`dataDir ${dataDir} cannot be prepared`);
  });
});

describe("refusal at start", () => {
  it("throws BUNTIME_ERR_POOL_SANDBOX_UNAVAILABLE naming bubblewrap when bwrap is missing", async () => {
    const error = await createSandbox({ bwrap: "/nonexistent/bwrap" }).catch((caught: unknown) => caught);
    expect(isBuntimeError(error, "BUNTIME_ERR_POOL_SANDBOX_UNAVAILABLE")).toBe(true);
    expect((error as Error).message).toContain("/nonexistent/bwrap");
    expect((error as Error).message).toContain("apt-get install bubblewrap");
  });

  it.skipIf(NO_BWRAP)("throws it with what went wrong when the test sandbox does not start", async () => {
    const error = await createSandbox({ bwrap: "/usr/bin/false" }).catch((caught: unknown) => caught);
    expect(isBuntimeError(error, "BUNTIME_ERR_POOL_SANDBOX_UNAVAILABLE")).toBe(true);
    expect((error as Error).message).toContain("did not start (exit code 1");
    expect((error as Error).message).toContain("seccomp");
  });
});
