/** A fixed-capacity buffer that keeps the newest items and forgets the oldest. */
export class RingBuffer<T> {
  readonly capacity: number;
  readonly #items: (T | undefined)[];
  /** Index the next push writes to. */
  #next = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be >= 1, got ${capacity}`);
    this.capacity = capacity;
    this.#items = new Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Adds `item`, overwriting the oldest one when full. */
  push(item: T): void {
    this.#items[this.#next] = item;
    this.#next = this.#next + 1 === this.capacity ? 0 : this.#next + 1;
    if (this.#size < this.capacity) this.#size++;
  }

  /** Items from newest to oldest; stop early by breaking out of the loop. */
  *newestFirst(): Generator<T> {
    for (let offset = 1; offset <= this.#size; offset++) {
      const index = (this.#next - offset + this.capacity) % this.capacity;
      yield this.#items[index] as T;
    }
  }
}
