import {
  createKernel,
  type InlinePlugin,
  type Kernel,
  type KernelOptions,
  type LogEntry,
} from "@buntime/kernel";
import { definePlugin, type ManifestOptions, type PluginDefinition, type PluginHooks } from "@buntime/sdk";
import { onCleanup, pluginPackage, tempDir } from "@buntime/test-kit/fixtures";

export { onCleanup, pluginPackage, SDK_MODULE, tempDir, writePluginFolder } from "@buntime/test-kit/fixtures";

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
