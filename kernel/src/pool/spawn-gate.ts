/** Bounds how many workers load at once: Bun is known to crash on bursts of simultaneous spawns. */

/** A counting semaphore; `acquire()` resolves with the function that releases the slot. */
export class SpawnGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** Spawns loading right now. */
  get loading(): number {
    return this.running;
  }

  async acquire(): Promise<() => void> {
    if (this.running >= this.limit) await new Promise<void>((go) => this.waiting.push(go));
    else this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
  }
}
