import type { Row } from "../storage/rows.ts";
import type { KeyInterval } from "./version-key.ts";

/** A live plugin version of one package with the key intervals of its (exact) kernel range. */
export interface CompatVersion {
  version: string;
  versionKey: string;
  publishedAt: string;
  intervals: KeyInterval[];
}

/** Kernel keys in [lo, hi] get `version`: the package's newest version whose range admits them. */
export interface CompatSegment extends KeyInterval {
  version: string;
  versionKey: string;
  publishedAt: string;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Newest first: highest key, then (for equal keys) the first published and the lowest
 * version string, the order a stable semver sort leaves versions listed by publish time.
 */
export function newerFirst(a: CompatVersion, b: CompatVersion): number {
  return (
    byString(b.versionKey, a.versionKey) ||
    byString(a.publishedAt, b.publishedAt) ||
    byString(a.version, b.version)
  );
}

/** True when every key of `piece` lies in `interval`. */
function covers(interval: KeyInterval, piece: KeyInterval): boolean {
  const fromLo =
    interval.lo < piece.lo || (interval.lo === piece.lo && (interval.loInclusive || !piece.loInclusive));
  const toHi =
    piece.hi < interval.hi || (piece.hi === interval.hi && (interval.hiInclusive || !piece.hiInclusive));
  return fromLo && toHi;
}

/**
 * The kernel-compatibility map of one package, precomputed at each write: the key line cut
 * at every bound of every range into points and the open gaps between them (each interval
 * holds a piece whole or not at all), each piece given the newest version whose range holds
 * it, and runs of pieces with the same answer joined. A kernel then falls in at most one
 * segment per package, so "the newest version compatible with this kernel" is one indexed
 * comparison per package instead of a scan and sort of every version.
 */
export function compatSegments(versions: CompatVersion[]): CompatSegment[] {
  const newest = [...versions].sort(newerFirst);
  const bounds = [...new Set(versions.flatMap((v) => v.intervals.flatMap((i) => [i.lo, i.hi])))].sort(
    byString,
  );
  const segments: CompatSegment[] = [];
  let previous: CompatVersion | undefined;
  bounds.forEach((bound, index) => {
    const next = bounds[index + 1];
    const pieces: KeyInterval[] = [{ lo: bound, loInclusive: true, hi: bound, hiInclusive: true }];
    if (next !== undefined) pieces.push({ lo: bound, loInclusive: false, hi: next, hiInclusive: false });
    for (const piece of pieces) {
      const answer = newest.find((v) => v.intervals.some((interval) => covers(interval, piece)));
      const last = segments.at(-1);
      if (answer && answer === previous && last)
        Object.assign(last, { hi: piece.hi, hiInclusive: piece.hiInclusive });
      else if (answer) {
        const { version, versionKey, publishedAt } = answer;
        segments.push({ ...piece, version, versionKey, publishedAt });
      }
      previous = answer;
    }
  });
  return segments;
}

/** The versions of `search_kernel` rows (exact ones, one row per interval) of one package. */
export function compatVersions(rows: Row[]): CompatVersion[] {
  const versions = new Map<string, CompatVersion>();
  for (const row of rows) {
    const version = String(row.version);
    let entry = versions.get(version);
    if (!entry) {
      entry = {
        version,
        versionKey: String(row.version_key),
        publishedAt: String(row.published_at),
        intervals: [],
      };
      versions.set(version, entry);
    }
    entry.intervals.push({
      lo: String(row.lo),
      loInclusive: Boolean(row.lo_inclusive),
      hi: String(row.hi),
      hiInclusive: Boolean(row.hi_inclusive),
    });
  }
  return [...versions.values()];
}

/**
 * A segment's bounds as a half-open interval of keys, `lo <= key < hi`, so SQL compares twice
 * and reads no flags: an exclusive lower bound and an inclusive upper one get `\u0001` appended.
 * Keys hold no character below `!`, so no key lies strictly between `x` and `x + "\u0001"`.
 */
export function halfOpen(segment: KeyInterval): { lo: string; hi: string } {
  return {
    lo: segment.loInclusive ? segment.lo : `${segment.lo}\u0001`,
    hi: segment.hiInclusive ? `${segment.hi}\u0001` : segment.hi,
  };
}
