/**
 * The script every thread-tier pool worker runs: guards the `process` calls that would act on
 * the whole kernel, then serves the pool over the worker's `postMessage`.
 */
import type { Batch, FromWorker, ToWorker } from "../shared/protocol.ts";
import { guardProcess } from "./process-guards.ts";
import { runWorker, type WorkerRuntime } from "./worker-runtime.ts";

const scope = globalThis as unknown as {
  postMessage(message: Batch<FromWorker>, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<Batch<ToWorker>>) => void) | null;
};

let runtime: WorkerRuntime | undefined;

// before any app code runs: the app must not reach the kernel through `process`
const realExit = guardProcess((code) => {
  runtime?.post({ t: "app-exit", code });
  runtime?.flush();
});

runtime = runWorker({
  postMessage: (batch, transfer) => scope.postMessage(batch, transfer),
  listen(receive) {
    scope.onmessage = (event) => receive(event.data);
  },
  exit: realExit,
});
