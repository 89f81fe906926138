import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BuntimeError } from "@buntime/sdk";
import { undoIfInterrupted } from "../common/interrupt.ts";
import { guarded } from "./home-change.ts";

/** True when a process with this pid exists (even one we may not signal). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

function take(path: string, home: string): void {
  try {
    writeFileSync(path, `${process.pid}\n`, { flag: "wx" });
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== "EEXIST") throw error;
  }
  const holder = Number(readFileSync(path, "utf8").trim());
  if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
    throw new BuntimeError("BUNTIME_ERR_INSTALL_BUSY", { pid: holder, home });
  }
  rmSync(path, { force: true }); // left by a command that died
  writeFileSync(path, `${process.pid}\n`, { flag: "wx" });
}

/** Reads a number from the first line of `path` (a pid), or undefined. */
function pidIn(path: string, field?: string): number | undefined {
  try {
    const text = readFileSync(path, "utf8");
    const value = field ? (JSON.parse(text) as Record<string, unknown>)[field] : Number(text.trim());
    return typeof value === "number" && Number.isInteger(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock; when the kernel running on the home holds it (a cluster node applying the
 * desired state, a matter of moments), waits for it up to five seconds instead of refusing.
 */
async function takeOrWaitForKernel(path: string, home: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      guarded(path, () => take(path, home));
      return;
    } catch (error) {
      const kernel = pidIn(join(home, "kernel.json"), "pid");
      const byKernel = kernel !== undefined && pidIn(path) === kernel;
      if (!(error instanceof BuntimeError) || !byKernel || attempt >= 100) throw error;
    }
    await Bun.sleep(50);
  }
}

/**
 * Runs `body` holding `<home>/.cli-lock`, so two CLI commands never change one home at once
 * (`BUNTIME_ERR_INSTALL_BUSY` names the holder). A home this call had to create is removed
 * again when `body` leaves it empty.
 */
export async function withHomeLock<T>(home: string, body: () => Promise<T>): Promise<T> {
  const created: string[] = [];
  for (let at = home; !existsSync(at) && dirname(at) !== at; at = dirname(at)) created.unshift(at);
  for (const dir of created) guarded(dir, () => mkdirSync(dir));
  const path = join(home, ".cli-lock");
  try {
    await takeOrWaitForKernel(path, home);
  } catch (error) {
    for (const dir of created.reverse()) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const release = () => {
    rmSync(path, { force: true });
    for (const dir of created.reverse()) {
      if (existsSync(dir) && readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
    }
  };
  const forget = undoIfInterrupted(release);
  try {
    return await body();
  } finally {
    forget();
    release();
  }
}
