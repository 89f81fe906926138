/**
 * Dedicated users for sandboxes: each live sandbox holds one uid (used as its gid too) from a
 * range, released when it exits. A data folder gets the uid it had last time when that one is
 * free, so its files rarely need a new owner.
 */
import { BuntimeError } from "@buntime/sdk";

/** The default range: above the usual /etc/subuid blocks of the first users (100000-165535). */
export const DEFAULT_UID_RANGE: readonly [number, number] = [200000, 265535];

/** Hands out and takes back uids from an inclusive range. */
export class UidPool {
  readonly #first: number;
  readonly #last: number;
  readonly #live = new Set<number>();
  readonly #lastByKey = new Map<string, number>();
  #next: number;

  constructor(range: readonly [number, number]) {
    const [first, last] = range;
    if (
      !Number.isInteger(first) ||
      !Number.isInteger(last) ||
      first < 1000 ||
      last < first ||
      last > 2 ** 31 - 2
    ) {
      throw new BuntimeError("BUNTIME_ERR_POOL_SANDBOX_SPEC_INVALID", {
        name: "uidRange",
        details: `[${first}, ${last}] is not a range of integers between 1000 and ${2 ** 31 - 2}`,
      });
    }
    this.#first = first;
    this.#last = last;
    this.#next = first;
  }

  /** A free uid, preferring the one `key` (a data folder) had before. */
  allocate(key: string): number {
    const previous = this.#lastByKey.get(key);
    const uid = previous !== undefined && !this.#live.has(previous) ? previous : this.#findFree();
    this.#live.add(uid);
    this.#lastByKey.set(key, uid);
    return uid;
  }

  /** Gives `uid` back once its sandbox has exited. */
  release(uid: number): void {
    this.#live.delete(uid);
  }

  #findFree(): number {
    const size = this.#last - this.#first + 1;
    for (let tried = 0; tried < size; tried++) {
      const uid = this.#next;
      this.#next = uid === this.#last ? this.#first : uid + 1;
      if (!this.#live.has(uid)) return uid;
    }
    throw new BuntimeError("BUNTIME_ERR_POOL_SANDBOX_UIDS_EXHAUSTED", {
      range: `${this.#first}-${this.#last}`,
      live: this.#live.size,
    });
  }
}
