/**
 * The `isolation` setting: which tier apps run in unless they ask, the least any app may run
 * in (a multi-tenant host sets `minimum: "process"` so no app can choose a thread), and the OS
 * limits of the process tier's sandboxes besides each app's `maxMemory`.
 */
import { z } from "zod";

const tier = z.enum(["thread", "process"], { message: 'expected "thread" or "process"' });

/** `isolation` in `buntime.config.json`. */
export const isolationSchema = z
  .object({
    /** The tier of apps whose `buntime.json` names none. */
    default: tier.default("thread"),
    /** Apps asking for less run in this tier anyway. */
    minimum: tier.default("thread"),
    /** Processes and threads one sandbox may have (Bun itself uses about 20). */
    pids: z.number().int().min(16).default(64),
    /** CPU one sandbox may use, in cores (0.5 = half a core); 0 leaves it unlimited. */
    cpu: z.number().min(0).default(1),
    /** The bubblewrap binary, when it is not `bwrap` on the PATH. */
    bwrap: z.string().min(1).optional(),
  })
  .strict();

/** `isolation` with its defaults applied. */
export type ResolvedIsolation = z.output<typeof isolationSchema>;

/** True when the kernel's settings put every app, or apps by default, in the process tier. */
export function needsSandbox(isolation: ResolvedIsolation): boolean {
  return isolation.default === "process" || isolation.minimum === "process";
}
