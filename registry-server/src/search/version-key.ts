import semver from "semver";

/**
 * Sort keys that order versions the way semver's `compare` does, so SQL can compare versions
 * as plain strings (byte order: SQLite's BINARY, PostgreSQL's `COLLATE "C"`).
 *
 * A number is written as its digit count (a letter, `A` for 1 to `P` for 16: semver refuses
 * numbers past 2^53 - 1, which has 16 digits) then its digits, so a longer number sorts after
 * a shorter one and each number ends where its count says. A key is major, minor and patch so
 * written, then `~` for a release, or one token per prerelease identifier: `0` and a number,
 * or `1`, the text and `!`. `!` sorts before every character an identifier may hold
 * (`0-9A-Za-z-`), so `alpha` comes before `alpha1`; a list that is a prefix of another sorts
 * first; numbers sort before words; `~` sorts after both token kinds, so a release comes after
 * each of its prereleases. `1.2.0` is `A1A2A0~`.
 */

/** Below every version's key. */
export const LOWEST_KEY = "";
/** Above every version's key (keys start with a letter from `A` to `P`). */
export const HIGHEST_KEY = "~";

const number = (n: number) => {
  const digits = String(n);
  return `${String.fromCharCode(64 + digits.length)}${digits}`;
};

/** A version's key, and whether comparing keys gives exactly semver's answer for it. */
export interface VersionKey {
  key: string;
  /**
   * False when a prerelease identifier is a number of 2^53 or more: semver keeps it as text
   * and compares it as a rounded float, which no string order can reproduce (it is not even
   * transitive). Such versions are decided by semver itself (see `KernelBounds.exact`).
   */
  exact: boolean;
}

/** The sort key of a parsed version (build metadata is ignored, as semver does). */
export function versionKey(version: semver.SemVer): VersionKey {
  let key = `${number(version.major)}${number(version.minor)}${number(version.patch)}`;
  if (version.prerelease.length === 0) return { key: `${key}~`, exact: true };
  let exact = true;
  for (const id of version.prerelease) {
    if (typeof id === "number") key += `0${number(id)}`;
    else {
      if (/^[0-9]+$/.test(id)) exact = false;
      key += `1${id}!`;
    }
  }
  return { key, exact };
}

/** The key of a version string, or an inexact lowest key when it is not a version. */
export function versionKeyOf(version: string): VersionKey {
  const parsed = semver.parse(version);
  return parsed ? versionKey(parsed) : { key: LOWEST_KEY, exact: false };
}

/** One `||` alternative of a range as an interval of keys. */
export interface KeyInterval {
  lo: string;
  loInclusive: boolean;
  hi: string;
  hiInclusive: boolean;
}

/** A kernel range as intervals: a version satisfies it when its key lies in any of them. */
export interface KernelBounds {
  intervals: KeyInterval[];
  /** False when a bound is an inexact key: then only semver itself may decide. */
  exact: boolean;
}

/**
 * The intervals of `range` as `satisfiesRange` (semver with `includePrerelease`) reads it:
 * each `||` alternative is a set of comparators that must all hold, i.e. the intersection of
 * half-lines, i.e. one interval. Undefined when semver cannot parse the range, which then
 * admits no version.
 */
export function kernelBounds(range: string): KernelBounds | undefined {
  let parsed: semver.Range;
  try {
    parsed = new semver.Range(range, { includePrerelease: true });
  } catch {
    return undefined;
  }
  let exact = true;
  const intervals = parsed.set.map((comparators) => {
    const interval: KeyInterval = { lo: LOWEST_KEY, loInclusive: true, hi: HIGHEST_KEY, hiInclusive: true };
    for (const { operator, semver: bound } of comparators) {
      // `*` and the empty comparator are semver's ANY (a symbol): they bound nothing
      if (!(bound instanceof semver.SemVer)) continue;
      const { key, exact: keyExact } = versionKey(bound);
      exact &&= keyExact;
      if (operator === "" || operator === "=" || operator === ">=" || operator === ">") {
        const inclusive = operator !== ">";
        if (key > interval.lo) Object.assign(interval, { lo: key, loInclusive: inclusive });
        else if (key === interval.lo) interval.loInclusive &&= inclusive;
      }
      if (operator === "" || operator === "=" || operator === "<=" || operator === "<") {
        const inclusive = operator !== "<";
        if (key < interval.hi) Object.assign(interval, { hi: key, hiInclusive: inclusive });
        else if (key === interval.hi) interval.hiInclusive &&= inclusive;
      }
    }
    return interval;
  });
  return { intervals, exact };
}

/** True when `key` lies in `interval` (what the SQL filter computes, for tests). */
export function inInterval(key: string, interval: KeyInterval): boolean {
  const aboveLo = interval.lo < key || (interval.lo === key && interval.loInclusive);
  const belowHi = key < interval.hi || (key === interval.hi && interval.hiInclusive);
  return aboveLo && belowHi;
}
