import { describe, expect, it } from "bun:test";
import { satisfiesRange } from "@buntime/sdk";
import semver from "semver";
import { compatSegments, halfOpen } from "../src/search/compat.ts";
import { inInterval, kernelBounds, versionKey, versionKeyOf } from "../src/search/version-key.ts";

/** Versions around the edges semver orders: prereleases, numbers against words, long numbers. */
const VERSIONS = [
  "0.0.0",
  "0.0.0-0",
  "0.0.1",
  "0.1.0-alpha",
  "0.1.0-alpha.1",
  "0.1.0-alpha.beta",
  "0.1.0-alpha.10",
  "0.1.0-alpha.2",
  "0.1.0-alpha-1",
  "0.1.0-alpha1",
  "0.1.0-Alpha",
  "0.1.0-beta",
  "0.1.0-beta.2",
  "0.1.0-beta.11",
  "0.1.0-rc.1",
  "0.1.0",
  "0.1.0+build.5",
  "0.1.1",
  "0.2.0-0",
  "0.2.0",
  "0.10.0",
  "1.0.0-0",
  "1.0.0-1",
  "1.0.0-9007199254740990",
  "1.0.0-x",
  "1.0.0",
  "1.2.3",
  "1.10.0",
  "2.0.0-rc.1",
  "2.0.0",
  "10.0.0",
  "9007199254740990.0.0",
];

/** Ranges of every shape semver desugars: carets, tildes, x-ranges, hyphens, unions, prerelease bounds. */
const RANGES = [
  "*",
  "",
  "^0.1.0",
  "^0.1.0-alpha",
  "~0.1.0",
  "0.1.x",
  "0.x",
  ">=0.1.0 <0.2.0",
  ">0.1.0-alpha.1 <=1.0.0-0",
  "0.1.0 - 1.0.0",
  "0.1.0-beta - 2",
  "<0.1.0 || >=2.0.0",
  "=1.0.0",
  "1.0.0-x",
  ">1.0.0 <1.0.0",
  "<0.0.0-0",
  ">=1.0.0-1 <1.0.0-x",
  "^1.0.0 || ^2.0.0-rc.1 || 0.1.0-alpha1",
  ">=1.0.0+build",
  "not a range",
  ">=9007199254740990.0.0",
];

describe("version sort keys", () => {
  it("order every pair of versions the way semver.compare does", () => {
    for (const a of VERSIONS) {
      for (const b of VERSIONS) {
        const ka = versionKeyOf(a).key;
        const kb = versionKeyOf(b).key;
        const expected = semver.compare(a, b);
        const actual = ka < kb ? -1 : ka > kb ? 1 : 0;
        if (actual !== expected) throw new Error(`${a} vs ${b}: semver ${expected}, keys ${actual}`);
      }
    }
  });

  it("flag a numeric prerelease identifier past 2^53 as inexact, and only that", () => {
    expect(versionKeyOf("1.0.0-99999999999999999").exact).toBe(false);
    expect(versionKeyOf("1.0.0-9007199254740990").exact).toBe(true);
    expect(versionKeyOf("1.0.0-a99999999999999999").exact).toBe(true);
    expect(versionKeyOf("not a version").exact).toBe(false);
  });
});

describe("kernel ranges as key intervals", () => {
  it("admit exactly the versions satisfiesRange admits", () => {
    for (const range of RANGES) {
      const bounds = kernelBounds(range);
      for (const version of VERSIONS) {
        const expected = satisfiesRange(version, range);
        const key = versionKey(new semver.SemVer(version)).key;
        const actual = bounds?.intervals.some((interval) => inInterval(key, interval)) ?? false;
        if (actual !== expected)
          throw new Error(`${version} in ${range}: semver ${expected}, keys ${actual}`);
      }
    }
  });

  it("admit what satisfiesRange admits over random ranges and versions", () => {
    let seed = 42;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor(seed / 2 ** 16) % n;
    };
    const ops = ["", ">", ">=", "<", "<=", "^", "~", "="];
    const pick = () => VERSIONS[next(VERSIONS.length)] as string;
    for (let i = 0; i < 400; i++) {
      const set = () => `${ops[next(ops.length)]}${pick()} ${ops[next(ops.length)]}${pick()}`;
      const range = next(3) === 0 ? `${set()} || ${set()}` : set();
      const bounds = kernelBounds(range);
      for (const version of VERSIONS) {
        const key = versionKey(new semver.SemVer(version)).key;
        const actual = bounds?.intervals.some((interval) => inInterval(key, interval)) ?? false;
        if (actual !== satisfiesRange(version, range)) throw new Error(`${version} in ${range}`);
      }
    }
  });

  it("is undefined for what semver cannot parse, and inexact for bounds past 2^53", () => {
    expect(kernelBounds("not a range")).toBeUndefined();
    expect(kernelBounds(">=1.0.0-99999999999999999")?.exact).toBe(false);
    expect(kernelBounds("^1.0.0")?.exact).toBe(true);
  });
});

describe("a package's kernel-compatibility segments", () => {
  it("give every kernel the newest version whose range admits it, as semver decides", () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor(seed / 2 ** 16) % n;
    };
    const exactRanges = RANGES.filter((range) => kernelBounds(range)?.exact);
    const published = ["0.1.0", "0.2.0-rc.1", "0.2.0", "1.0.0", "1.1.0", "2.0.0"];
    for (let round = 0; round < 300; round++) {
      const versions = published
        .filter(() => next(3) !== 0)
        .map((version, i) => {
          const range = exactRanges[next(exactRanges.length)] as string;
          const publishedAt = `2026-01-0${1 + (i % 3)}`;
          const intervals = kernelBounds(range)?.intervals ?? [];
          return { version, versionKey: versionKeyOf(version).key, publishedAt, intervals, range };
        });
      const segments = compatSegments(versions);
      for (const kernel of VERSIONS) {
        const fitting = versions.filter((v) => satisfiesRange(kernel, v.range));
        const expected = fitting.sort((a, b) => semver.rcompare(a.version, b.version))[0]?.version;
        const key = versionKeyOf(kernel).key;
        const found = segments.filter((segment) => inInterval(key, segment));
        // the half-open form SQL compares holds exactly the same keys
        const open = segments.filter((segment) => {
          const { lo, hi } = halfOpen(segment);
          return lo <= key && key < hi;
        });
        expect(open).toEqual(found);
        expect(found.length).toBeLessThanOrEqual(1);
        if (found[0]?.version !== expected) {
          throw new Error(`${kernel} over ${JSON.stringify(versions.map((v) => [v.version, v.range]))}`);
        }
      }
    }
  });
});
