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
    /**
     * Tenant groups: apps that trust each other, by name, sharing one sandbox (each in a worker
     * of its own inside it). Their apps run in the process tier whatever they ask for.
     */
    groups: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: "expected a group name such as acme or team-1" }),
        z.array(z.string().min(1)).min(1),
      )
      .default({})
      .refine(
        (groups) => {
          const names = Object.values(groups).flat();
          return new Set(names).size === names.length;
        },
        { message: "an app may be in one group only" },
      ),
    /** The bubblewrap binary, when it is not `bwrap` on the PATH. */
    bwrap: z.string().min(1).optional(),
  })
  .strict();

/** `isolation` with its defaults applied. */
export type ResolvedIsolation = z.output<typeof isolationSchema>;

/** True when the kernel's settings put every app, or apps by default, in the process tier. */
export function needsSandbox(isolation: ResolvedIsolation): boolean {
  return (
    isolation.default === "process" ||
    isolation.minimum === "process" ||
    Object.keys(isolation.groups).length > 0
  );
}
