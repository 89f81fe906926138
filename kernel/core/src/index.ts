/**
 * @buntime/kernel: the microkernel. It offers plugins exactly three things (lifecycle hooks,
 * a service registry and the worker pool) and hosts them: loads, validates, orders by
 * dependencies, starts, stops and hot-loads them, and runs every request through one pipeline.
 */
export { adminTokenPath } from "./api/admin-token.ts";
export { kernelFilePath } from "./api/kernel-file.ts";
export type {
  ClusterNode,
  ClusterReadiness,
  ClusterSupply,
  DesiredPlugin,
  DesiredState,
  NodeReport,
} from "./cluster/index.ts";
export { ClusterStore } from "./cluster/index.ts";
export type { LoadConfigOptions } from "./config/load.ts";
export { loadConfig, resolveConfig } from "./config/load.ts";
export type { KernelConfigOptions, ResolvedKernelConfig } from "./config/schema.ts";
export { kernelConfigSchema } from "./config/schema.ts";
export type { KernelStartArgs } from "./config/start-args.ts";
export { KERNEL_START_OPTIONS, loadStartConfig } from "./config/start-args.ts";
export type { InlinePlugin, Kernel, KernelOptions } from "./kernel.ts";
export { createKernel } from "./kernel.ts";
export type { LogEntry, LoggerOptions, LogSink } from "./logger.ts";
export { createLogger } from "./logger.ts";
export type { PluginStatus } from "./plugins/loaded-plugin.ts";
export type { Lockfile } from "./plugins/lockfile.ts";
export { installedPluginDir, lockfilePath, lockfileSchema, readLockfile } from "./plugins/lockfile.ts";
export type { Companion } from "./serve-until-signal.ts";
export { serveUntilSignal } from "./serve-until-signal.ts";
export { KERNEL_VERSION } from "./version.ts";
