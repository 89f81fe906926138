/** The app catalog's answers for unknown names: never from a scan older than the question, few scans. */
import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { silentLogger } from "@buntime/test-kit/logger";
import { AppCatalog } from "../src/app-catalog.ts";
import { tempDir, writeApp } from "./support.ts";

/** A catalog of a fresh apps folder, counting its scans (each scan ends with `onChange`). */
function countingCatalog() {
  const appsDir = join(tempDir(), "apps");
  const counted = { scans: 0 };
  const catalog = new AppCatalog(appsDir, silentLogger(), () => counted.scans++);
  return { appsDir, catalog, counted };
}

describe("unknown app names", () => {
  it("are answered by the first scan when it began after the question (no second scan)", async () => {
    const { catalog, counted } = countingCatalog();
    expect(await catalog.find("nothing", undefined)).toBeUndefined();
    expect(counted.scans).toBe(1);
  });

  it("asked together share one scan begun after them all (the kernel asks about every base at start)", async () => {
    const { catalog, counted } = countingCatalog();
    const names = Array.from({ length: 11 }, (_, i) => `plugin-base-${i}`);
    const answers = await Promise.all(names.map((name) => catalog.find(name, undefined)));
    expect(answers.every((answer) => answer === undefined)).toBe(true);
    // the first question's scan, then one more for the ten asked while it ran
    expect(counted.scans).toBe(2);
  });

  it("find an app copied in after an earlier miss, without waiting for the watcher", async () => {
    const { appsDir, catalog } = countingCatalog();
    expect(await catalog.find("late", undefined)).toBeUndefined();
    writeApp(join(appsDir, "late"), "late");
    expect((await catalog.find("late", undefined))?.dir).toBe(join(appsDir, "late"));
  });

  it("probed one after another rescan at most every 250 ms", async () => {
    const { catalog, counted } = countingCatalog();
    const started = performance.now();
    for (let i = 0; i < 6; i++) expect(await catalog.find(`probe-${i}`, undefined)).toBeUndefined();
    const elapsed = performance.now() - started;
    // six misses in a row: the first (stale) scan, one more at once, then one per interval
    expect(counted.scans).toBe(6);
    expect(elapsed).toBeGreaterThanOrEqual(4 * 250 - 5);
  });
});
