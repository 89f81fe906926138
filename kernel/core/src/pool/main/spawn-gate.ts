/**
 * Bounds how many workers load at once (Bun is known to crash on bursts of simultaneous
 * spawns) and holds new spawns back while too many workers are still closing, so churn can
 * never pile up threads faster than they go away.
 */

/** A counting semaphore for spawns that also counts workers on their way out. */
export class SpawnGate {
  private running = 0;
  private closing = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly limit: number,
    private readonly closingLimit: number,
  ) {}

  /** Spawns loading right now. */
  get loading(): number {
    return this.running;
  }

  /** Waits for a spawn slot; resolves with the function that releases it. */
  async acquire(): Promise<() => void> {
    if (this.running >= this.limit || this.closing >= this.closingLimit) {
      await new Promise<void>((go) => this.waiting.push(go));
    } else {
      this.running++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.admit();
    };
  }

  /**
   * A worker is on its way out (terminated, or asked to close with nothing left in flight);
   * returns the function to call once it is gone. Workers still finishing long streams do not count.
   */
  closingStarted(): () => void {
    this.closing++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.closing--;
      this.admit();
    };
  }

  private admit(): void {
    while (this.waiting.length > 0 && this.running < this.limit && this.closing < this.closingLimit) {
      this.running++;
      (this.waiting.shift() as () => void)();
    }
  }
}
