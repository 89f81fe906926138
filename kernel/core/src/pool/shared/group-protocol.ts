/**
 * The messages between the pool and a tenant group's sandbox, where several apps that trust
 * each other share one process, each in a Bun worker of its own. Each app's worker is a
 * channel `w`; its own messages (the pool protocol) travel inside, untouched.
 */
import type { Batch, FromWorker, ToWorker } from "./protocol.ts";

/** Pool → group: start, feed or end the worker of channel `w`. */
export type ToGroup =
  | { readonly w: number; readonly open: { readonly script: string; readonly env: Record<string, string> } }
  | { readonly w: number; readonly b: Batch<ToWorker> }
  | { readonly w: number; readonly kill: true };

/** Group → pool: what the worker of channel `w` said, failed with, or that it ended. */
export type FromGroup =
  | { readonly w: number; readonly b: Batch<FromWorker> }
  | { readonly w: number; readonly error: string }
  | { readonly w: number; readonly exit: string | undefined };
