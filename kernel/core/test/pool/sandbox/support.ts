/** Shared pieces of the sandbox tests: a world-readable app folder with the test child, and a client for it. */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { skipWithoutSandbox } from "@buntime/test-kit/system";
import type { Sandbox, SandboxExit, SandboxedProcess, SandboxSpec } from "../../../src/pool/sandbox/index.ts";

/** True (after one line naming Debian's bubblewrap) when bwrap is missing outside CI. */
export const NO_BWRAP = skipWithoutSandbox();

/** A temp folder the sandbox's own user can reach, holding app/child.ts; remove it with `dispose`. */
export function makeHostFolders(): { root: string; appDir: string; dispose(): void } {
  const root = mkdtempSync(join(tmpdir(), "buntime-sandbox-test-"));
  chmodSync(root, 0o755);
  const appDir = join(root, "app");
  mkdirSync(appDir);
  chmodSync(appDir, 0o755);
  copyFileSync(join(import.meta.dir, "fixtures", "child.ts"), join(appDir, "child.ts"));
  chmodSync(join(appDir, "child.ts"), 0o644);
  return { root, appDir, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

/** A started test child: ask it to try something, and its exit. */
export interface TestChild {
  readonly process: SandboxedProcess;
  /** The host folder bound at /data. */
  readonly dataDir: string;
  readonly exit: Promise<SandboxExit>;
  /** Resolves with the op's value; rejects with the error code or message the child met. */
  ask(op: string, fields?: Record<string, unknown>): Promise<unknown>;
}

/** One mebibyte. */
export const MiB = 1024 * 1024;

/** Starts the test child in `sandbox` and waits until it is ready. */
export async function startChild(
  sandbox: Sandbox,
  folders: { root: string; appDir: string },
  overrides: Partial<SandboxSpec> = {},
): Promise<TestChild> {
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let next = 0;
  const { promise: ready, resolve: isReady } = Promise.withResolvers<void>();
  const { promise: exit, resolve: exited } = Promise.withResolvers<SandboxExit>();
  const dataDir = overrides.dataDir ?? join(folders.root, `data-${Math.random().toString(36).slice(2)}`);
  const child = sandbox.spawn({
    name: "test-app@1.0.0#1",
    appDir: folders.appDir,
    dataDir,
    runtimeDir: folders.appDir,
    argv: ["/app/child.ts"],
    env: {},
    limits: { memory: 256 * MiB, pids: 64, cpu: 0 },
    onMessage(message) {
      const { id, ok, value, error } = message as { id: number; ok: boolean; value: unknown; error: string };
      if (id === 0) return isReady();
      const pending = waiting.get(id);
      waiting.delete(id);
      if (ok) pending?.resolve(value);
      else pending?.reject(new Error(error));
    },
    onExit: (result) => {
      for (const pending of waiting.values()) pending.reject(new Error("exited"));
      exited(result);
    },
    ...overrides,
  });
  await Promise.race([
    ready,
    exit.then((result) => Promise.reject(new Error(`exited early: ${JSON.stringify(result)}`))),
  ]);
  return {
    process: child,
    dataDir,
    exit,
    ask(op, fields = {}) {
      const id = ++next;
      const { promise, resolve, reject } = Promise.withResolvers<unknown>();
      waiting.set(id, { resolve, reject });
      child.send({ id, op, ...fields });
      return promise;
    },
  };
}
