import type { Kernel } from "./kernel.ts";

/** Something that runs beside the kernel and stops with it (a registry, a metrics exporter). */
export interface Companion {
  stop(): Promise<void>;
}

/**
 * Runs a kernel as a process's main job: starts its plugins, listens, prints
 * `buntime <version> listening on <url>`, and on SIGTERM or SIGINT stops it gracefully (and the
 * companions beside it). Resolves with the exit code: 0 after a clean stop, 1 when a stop failed.
 */
export async function serveUntilSignal(
  kernel: Kernel,
  companions: readonly Companion[] = [],
  write: (line: string) => void = (line) => process.stdout.write(line),
): Promise<number> {
  await kernel.start();
  const url = await kernel.listen();
  // 0.0.0.0 is where the kernel binds, not an address to browse to
  if (url.hostname === "0.0.0.0") url.hostname = "localhost";
  write(`buntime ${kernel.version} listening on ${url.href}\n`);
  const stopped = Promise.withResolvers<number>();
  const stop = (signal: string) => {
    write(`${signal}: stopping (waiting up to ${kernel.config.shutdownTimeout} ms for requests in flight)\n`);
    Promise.all([kernel.stop(), ...companions.map((companion) => companion.stop())]).then(
      () => stopped.resolve(0),
      () => stopped.resolve(1),
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  return stopped.promise;
}
