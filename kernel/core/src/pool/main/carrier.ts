/**
 * How the pool reaches one worker, whatever it runs in: a Bun worker thread (the `thread`
 * tier) or a sandboxed child process (the `process` tier). `PoolWorker` speaks the same
 * message protocol to both; a launcher per tier makes the carriers.
 */
import type { IsolationTier } from "@buntime/sdk";
import type { Batch, FromWorker, MessagePort } from "../shared/protocol.ts";
import type { ResolvedAppSpec } from "./options.ts";

/** What a carrier reports to its worker. */
export interface CarrierEvents {
  /** A batch of messages from the worker. */
  message(batch: Batch<FromWorker>): void;
  /** An error escaped the worker (its text, for the failure message). */
  error(message: string): void;
  /** The worker is gone; `why` says how when it did not exit by itself with code 0. */
  exit(why: string | undefined, limit?: "memory" | "pids"): void;
  /** The worker should finish what it has in flight and close (the place it runs in is being replaced). */
  retire(reason: string): void;
}

/** One running worker as the pool sees it. */
export interface Carrier extends MessagePort {
  /** The path the worker imports the app from (inside a sandbox, under `/app`). */
  readonly entry: string;
  /** The data folder as the worker sees it (inside a sandbox, `/data`). */
  readonly dataDir: string | undefined;
  /** Ending it while it loads is safe (a process); a loading Bun worker may crash Bun if terminated. */
  readonly killableWhileLoading: boolean;
  /** Ends it now. */
  terminate(): void;
}

/** Makes the carriers of one tier. */
export interface Launcher {
  readonly tier: IsolationTier;
  /** Work done before waiting for the spawn gate (bundling, probing the sandbox); throws if the tier cannot run. */
  prepare(): Promise<void>;
  /** Starts a worker for `spec`; throws if it cannot. */
  launch(spec: ResolvedAppSpec, events: CarrierEvents): Promise<Carrier>;
}
