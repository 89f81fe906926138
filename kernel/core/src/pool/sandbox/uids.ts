/**
 * Dedicated users for sandboxes: each live sandbox holds one uid (used as its gid too) from a
 * range, released when it exits. Sandboxes that share a data folder (instances of one app)
 * share its uid, or one would take the folder's files away from the other. A claim file per uid
 * (created exclusively, holding the kernel's pid) keeps two Sandboxes, or two kernels on one
 * host, from handing out the same uid; a claim whose pid is gone is stale and taken over. A data
 * folder gets the uid it had last time when that one is free, so its files rarely need a new owner.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { BuntimeError } from "@buntime/sdk";

/** The default range: above the usual /etc/subuid blocks of the first users (100000-165535). */
export const DEFAULT_UID_RANGE: readonly [number, number] = [200000, 265535];

/** Where uid claims live: root-only, shared by every kernel on the host. */
export const DEFAULT_CLAIM_DIR = "/run/buntime/sandbox-uids";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Creates the claim file for `uid`; false when a live process holds it. */
function claim(dir: string, uid: number): boolean {
  const path = join(dir, String(uid));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder = 0;
    try {
      holder = Number(readFileSync(path, "utf8"));
    } catch {
      continue; // released meanwhile: try again
    }
    if (holder > 0 && alive(holder)) return false;
    try {
      unlinkSync(path);
    } catch {
      // someone else took it over first
    }
  }
  return false;
}

/** Hands out and takes back uids from an inclusive range. */
export class UidPool {
  readonly #first: number;
  readonly #last: number;
  readonly #claimDir: string;
  /** Live uids: the key (data folder) each serves and how many sandboxes hold it. */
  readonly #live = new Map<number, { key: string; holders: number }>();
  readonly #lastByKey = new Map<string, number>();
  #next: number;

  constructor(range: readonly [number, number], claimDir = DEFAULT_CLAIM_DIR) {
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
    mkdirSync(claimDir, { recursive: true, mode: 0o700 });
    this.#first = first;
    this.#last = last;
    this.#claimDir = claimDir;
    this.#next = first;
  }

  /** The uid for a sandbox of `key` (a data folder): the one live for that key, else a free one, preferring its last. */
  allocate(key: string): number {
    const previous = this.#lastByKey.get(key);
    const held = previous === undefined ? undefined : this.#live.get(previous);
    if (previous !== undefined && held?.key === key) {
      held.holders++;
      return previous;
    }
    const uid = previous !== undefined && this.#take(previous, key) ? previous : this.#findFree(key);
    this.#lastByKey.set(key, uid);
    return uid;
  }

  /** Gives `uid` back once its sandbox has exited (the last holder frees it). */
  release(uid: number): void {
    const held = this.#live.get(uid);
    if (!held || --held.holders > 0) return;
    this.#live.delete(uid);
    try {
      unlinkSync(join(this.#claimDir, String(uid)));
    } catch {
      // already gone
    }
  }

  #take(uid: number, key: string): boolean {
    if (this.#live.has(uid) || !claim(this.#claimDir, uid)) return false;
    this.#live.set(uid, { key, holders: 1 });
    return true;
  }

  #findFree(key: string): number {
    const size = this.#last - this.#first + 1;
    for (let tried = 0; tried < size; tried++) {
      const uid = this.#next;
      this.#next = uid === this.#last ? this.#first : uid + 1;
      if (this.#take(uid, key)) return uid;
    }
    throw new BuntimeError("BUNTIME_ERR_POOL_SANDBOX_UIDS_EXHAUSTED", {
      range: `${this.#first}-${this.#last}`,
      live: this.#live.size,
    });
  }
}
