/**
 * The kernel's own readiness checks: plugins started, the worker pool up, storage reachable.
 * Each reads the kernel through the small functions it is given, so this file knows no kernel.
 */
import { access, constants } from "node:fs/promises";
import type { KeyValueStore } from "@buntime/sdk";
import type { PluginStatus } from "../plugins/loaded-plugin.ts";
import type { ReadinessCheck } from "./health.ts";

/** What the kernel's checks read. */
export interface KernelReadinessSources {
  /** True once `start` has started the plugins, false again once `stop` began. */
  running(): boolean;
  plugins(): readonly PluginStatus[];
  /** True while the worker pool takes requests (not shutting down). */
  poolUp(): boolean;
  /** The folder the kernel keeps its data in (its home). */
  readonly home: string;
  /** The `keyval` store when a plugin provides it, else undefined. */
  keyval(): KeyValueStore | undefined;
}

/** A key no one writes: reading it proves the store answers without changing anything. */
const PROBE_KEY = "kernel:health/probe";

/** The kernel's readiness checks, in the order the `ready` answer lists them. */
export function kernelReadinessChecks(sources: KernelReadinessSources): ReadinessCheck[] {
  return [
    {
      name: "plugins",
      check() {
        if (!sources.running()) return "plugins not started";
        const failed = sources.plugins().filter((plugin) => plugin.status === "failed");
        return failed.length === 0 || `failed to start: ${failed.map((plugin) => plugin.name).join(", ")}`;
      },
    },
    { name: "pool", check: () => (sources.poolUp() ? true : "the worker pool is stopped") },
    {
      name: "storage",
      async check() {
        try {
          await access(sources.home, constants.W_OK);
        } catch {
          return `home ${sources.home} is not writable`;
        }
        await sources.keyval()?.get(PROBE_KEY);
        return true;
      },
    },
  ];
}
