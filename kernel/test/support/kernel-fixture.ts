import { onTestFinished } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createKernel,
  type InlinePlugin,
  type Kernel,
  type KernelOptions,
  type LogEntry,
} from "@buntime/kernel";
import { definePlugin, type ManifestOptions, type PluginDefinition, type PluginHooks } from "@buntime/sdk";

// Work to undo after the current test, newest first. Flushed by a hook added to the running test:
// bun evaluates this module once per run, so a hook at its top level would serve the first file only.
const cleanups: (() => unknown)[] = [];

/** Registers work to undo after the current test (after its `afterEach` hooks); call it inside a test. */
export function onCleanup(cleanup: () => unknown): void {
  if (cleanups.length === 0)
    onTestFinished(async () => {
      for (const pending of cleanups.splice(0).reverse()) await pending();
    });
  cleanups.push(cleanup);
}

/** A fresh temporary folder, removed after the test. */
export function tempDir(prefix = "buntime-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The sdk's module specifier, as a JS string literal, for plugin sources written by tests. */
export const SDK_MODULE = JSON.stringify(import.meta.resolve("@buntime/sdk"));

/** A plugin whose `setup` does nothing but return `hooks` (none by default). */
export function withHooks(hooks: PluginHooks = {}): PluginDefinition {
  return definePlugin({ setup: () => hooks });
}

/** Source of a plugin `fetch` hook that waits `?wait=<ms>` and then answers `text`. */
export function slowFetchSource(text: string): string {
  return `fetch: async (req) => {
    const wait = Number(new URL(req.url).searchParams.get("wait") ?? 0);
    if (wait) await Bun.sleep(wait);
    return new Response(${JSON.stringify(text)});
  },`;
}

/** The package.json of a test plugin. */
export function pluginPackage(name: string, manifest: Partial<ManifestOptions> = {}, version = "1.0.0") {
  return { name, version, buntime: { kernel: "*", ...manifest } };
}

/** An inline test plugin. */
export function inlinePlugin(
  name: string,
  manifest: Partial<ManifestOptions>,
  // biome-ignore lint/suspicious/noExplicitAny: test plugins of any config type
  plugin: PluginDefinition<any>,
  version = "1.0.0",
): InlinePlugin {
  return { packageJson: pluginPackage(name, manifest, version), plugin };
}

/**
 * An inline plugin `sign-in` that does what an auth plugin does for tests: its `onRequest` puts
 * whoever `x-user` names in `locals.user`, with the comma-separated roles of `x-roles`.
 */
export function signInPlugin(): InlinePlugin {
  return inlinePlugin(
    "sign-in",
    {},
    withHooks({
      onRequest(request, context) {
        const username = request.headers.get("x-user");
        const roles = request.headers.get("x-roles")?.split(",") ?? [];
        if (username) context.locals.user = { username, roles, via: "test" };
      },
    }),
  );
}

/** Writes a plugin folder: package.json plus an entry module with `source` as its text. */
export function writePluginFolder(dir: string, packageJson: object, source: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify(packageJson, null, 2));
  writeFileSync(join(dir, "index.ts"), source);
  return dir;
}

export interface TestKernel {
  kernel: Kernel;
  logs: LogEntry[];
  /** Sends a request to `path` through the in-process pipeline. */
  request(path: string, init?: RequestInit): Promise<Response>;
}

/** A started kernel with a temporary home, its log lines captured, stopped after the test. */
export async function startTestKernel(options: Omit<KernelOptions, "logSink"> = {}): Promise<TestKernel> {
  const logs: LogEntry[] = [];
  const kernel = createKernel({
    ...options,
    config: { home: tempDir(), port: 0, hostname: "127.0.0.1", ...options.config },
    logSink: (entry) => logs.push(entry),
  });
  onCleanup(() => kernel.stop());
  await kernel.start();
  return {
    kernel,
    logs,
    request: (path, init) => kernel.fetch(new Request(`http://127.0.0.1${path}`, init)),
  };
}
