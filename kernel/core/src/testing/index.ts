/**
 * @buntime/kernel/testing: an in-process kernel for plugin authors' tests, with a temporary
 * home and its log lines captured. A plugin package takes `@buntime/kernel` as a dev dependency
 * for it; its own code depends only on `@buntime/sdk`.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PluginDefinition, ServiceName, ServiceOf } from "@buntime/sdk";
import type { KernelConfigOptions } from "../config/schema.ts";
import { createKernel } from "../kernel.ts";
import type { LogEntry } from "../logger.ts";

/** A plugin under test: its package.json (name, version, `buntime` manifest) and its definition. */
export interface TestPlugin {
  readonly packageJson: unknown;
  // biome-ignore lint/suspicious/noExplicitAny: any plugin, whatever its config schema
  readonly plugin: PluginDefinition<any>;
}

export interface TestKernelOptions {
  /** Plugins passed in code, or paths of plugin folders (a folder also serves its `ui`). */
  readonly plugins?: readonly (TestPlugin | string)[];
  /** Folders of plugin folders to load, as `buntime start --plugins` does. */
  readonly pluginDirs?: readonly string[];
  /** Kernel settings; `plugins` holds each plugin's settings by package name. */
  readonly config?: Omit<KernelConfigOptions, "pluginDirs">;
  /** Also listen on 127.0.0.1 (a free port unless `config.port` says otherwise): `url` tells where. */
  readonly listen?: boolean;
}

/** A started in-process kernel. */
export interface TestKernel {
  /** Sends a request through the whole pipeline; a path is resolved against `http://localhost`. */
  fetch(input: Request | string, init?: RequestInit): Promise<Response>;
  /** Any provided service, whatever the plugins declared. */
  service<K extends ServiceName>(name: K): ServiceOf<K>;
  /** Log lines written so far. */
  readonly logs: readonly LogEntry[];
  /** The home folder (temporary unless `config.home` was given). */
  readonly home: string;
  /** Where the kernel listens, with `listen: true`. */
  readonly url: URL | undefined;
  /** Stops the kernel and removes its temporary home. */
  stop(): Promise<void>;
}

/**
 * A fresh temporary home, 0711 rather than mkdtemp's 0700: a process-tier app runs as a
 * sandbox user of its own, which must pass through the home to reach its folder under `apps/`
 * (when tests run as root); others still cannot list the home or read what it does not expose.
 */
function temporaryHomeFolder(): string {
  const home = mkdtempSync(join(tmpdir(), "buntime-test-kernel-"));
  chmodSync(home, 0o711);
  return home;
}

/**
 * Starts a kernel in process with the given plugins and a temporary home.
 *
 * @example
 * const kernel = await createTestKernel({ plugins: [{ packageJson, plugin }] });
 * expect((await kernel.fetch("/greeter/Ada")).status).toBe(200);
 * await kernel.stop();
 */
export async function createTestKernel(options: TestKernelOptions = {}): Promise<TestKernel> {
  const temporaryHome = options.config?.home === undefined;
  const home = options.config?.home ?? temporaryHomeFolder();
  const logs: LogEntry[] = [];
  const kernel = createKernel({
    config: {
      port: 0,
      hostname: "127.0.0.1",
      ...options.config,
      home,
      pluginDirs: [...(options.pluginDirs ?? [])],
    },
    plugins: options.plugins,
    logSink: (entry) => logs.push(entry),
  });
  let url: URL | undefined;
  try {
    await kernel.start();
    if (options.listen) url = await kernel.listen();
  } catch (error) {
    await kernel.stop();
    if (temporaryHome) rmSync(home, { recursive: true, force: true });
    throw error;
  }
  return {
    fetch: (input, init) =>
      kernel.fetch(typeof input === "string" ? new Request(new URL(input, "http://localhost"), init) : input),
    service: (name) => kernel.service(name) as never,
    logs,
    home,
    url,
    async stop() {
      await kernel.stop();
      if (temporaryHome) rmSync(home, { recursive: true, force: true });
    },
  };
}
