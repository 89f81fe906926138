/**
 * Where an app's console lines and uncaught errors end up: the kernel's log, under the
 * namespace `app:<name>`, with the app, its version and the request id as fields, so the logs
 * plugin can show and filter them like any other line.
 */
import type { Logger } from "@buntime/sdk";
import type { AppLogMessage } from "../shared/protocol.ts";
import type { PoolWorker } from "./pool-worker.ts";

/** Writes the log messages of workers to `logger`'s `app:<name>` children; nothing without a logger. */
export function appLog(logger: Logger | undefined): (worker: PoolWorker, message: AppLogMessage) => void {
  const children = new Map<string, Logger>();
  return (worker, message) => {
    if (logger === undefined) return;
    const { name, version } = worker.spec;
    let child = children.get(name);
    if (child === undefined) {
      child = logger.child(`app:${name}`);
      children.set(name, child);
    }
    child[message.level](message.text, {
      app: name,
      version,
      ...(message.rid !== undefined && { requestId: message.rid }),
      ...(message.tid !== undefined && { traceId: message.tid }),
      workerId: worker.id,
    });
  };
}
