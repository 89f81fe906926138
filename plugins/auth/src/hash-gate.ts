/**
 * Password hashing through a gate: argon2id is slow and memory-hungry on purpose (64 MiB and tens
 * of milliseconds per hash), so a flood of sign-ins hashing all at once would take every core and
 * starve the kernel's other work (health probes, apps). At most `maxRunning` hashes run at a time,
 * at most `maxWaiting` wait; past that a sign-in is refused at once with 503, before any hashing.
 * A handful of lines rather than a library: a plugin bundles its dependencies.
 */
import { availableParallelism } from "node:os";
import { BuntimeError } from "@buntime/sdk";

/** Runs hashing work a few at a time. */
export class HashGate {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(
    readonly maxRunning: number,
    readonly maxWaiting: number,
  ) {}

  /** How many hashes run now and how many wait, for tests and diagnostics. */
  get load(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length };
  }

  /** Runs `work` when a slot is free; throws `BUNTIME_ERR_AUTH_BUSY` when too many already wait. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running < this.maxRunning) this.#running++;
    else if (this.#waiting.length >= this.maxWaiting) {
      throw new BuntimeError("BUNTIME_ERR_AUTH_BUSY", { waiting: this.#waiting.length });
    } else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await work();
    } finally {
      // the slot goes straight to the next waiter, so the count of running work stays the same
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}

/** The plugin's one gate: half the cores (at least one) hash, so the others keep serving. */
export const hashGate = new HashGate(Math.max(1, Math.floor(availableParallelism() / 2)), 64);

/** `Bun.password.hash` (argon2id) through the gate. */
export function hashPassword(password: string): Promise<string> {
  return hashGate.run(() => Bun.password.hash(password, "argon2id"));
}

/** `Bun.password.verify` through the gate. */
export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return hashGate.run(() => Bun.password.verify(password, hash));
}
