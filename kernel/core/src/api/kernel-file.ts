import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** `<home>/kernel.json`: where the kernel running on a home listens, for the CLI on that home. */
export function kernelFilePath(home: string): string {
  return join(home, "kernel.json");
}

/** Records the running kernel's URL and pid (atomically: temp file, then rename). */
export function writeKernelFile(home: string, url: URL): void {
  const path = kernelFilePath(home);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ url: url.href, pid: process.pid })}\n`);
  renameSync(temporary, path);
}

/** Removes the record when this process wrote it. */
export function removeKernelFile(home: string): void {
  try {
    const path = kernelFilePath(home);
    const { pid } = JSON.parse(readFileSync(path, "utf8")) as { pid?: number };
    if (pid === process.pid) rmSync(path, { force: true });
  } catch {
    // nothing recorded, or not readable: nothing to remove
  }
}
