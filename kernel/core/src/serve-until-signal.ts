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
  const stopped = Promise.withResolvers<number>();
  let ready: Promise<unknown> = Promise.resolve();
  // Handlers go in before the kernel starts: a signal that comes as soon as the URL is printed,
  // or while plugins start, still stops gracefully (once starting has settled), never by default.
  const stop = (signal: string) => {
    write(`${signal}: stopping (waiting up to ${kernel.config.shutdownTimeout} ms for requests in flight)\n`);
    ready
      .catch(() => undefined)
      .then(() => Promise.all([kernel.stop(), ...companions.map((companion) => companion.stop())]))
      .then(
        () => stopped.resolve(0),
        () => stopped.resolve(1),
      );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  ready = kernel.start().then(() => kernel.listen());
  const url = (await ready) as URL;
  // 0.0.0.0 is where the kernel binds, not an address to browse to
  if (url.hostname === "0.0.0.0") url.hostname = "localhost";
  write(`buntime ${kernel.version} listening on ${url.href}\n`);
  return stopped.promise;
}
