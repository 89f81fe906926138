import { describe, expect, it } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  extractTarball,
  integrityOf,
  matchesIntegrity,
  readTar,
  type TarInput,
  writeTar,
} from "@buntime/supply";
import { tempDir } from "@buntime/test-kit/fixtures";
import { bytes, file, tgz } from "./helpers/tar-inputs.ts";

/** A well-formed pax record: its length counts its own digits. */
const record = (text: string) => {
  const size = Buffer.byteLength(text) + 2;
  let length = size + 1;
  while (String(length).length + size !== length) length += 1;
  return `${length} ${text}\n`;
};

describe("pax extended headers", () => {
  it("honours well-formed records (a path longer than ustar holds)", () => {
    const long = `package/${"x".repeat(150)}.txt`;
    const entries = readTar(
      writeTar([{ ...file("package/short.txt"), rawPax: record(`path=${long}`) }]),
      "t",
    );
    expect(entries.map((entry) => entry.path)).toEqual([long]);
  });

  it.each([
    ["a length that is not the record's size", "99 path=package/evil.txt\n", "pax record 1 claims 99 bytes"],
    [
      "a length one short",
      "24 path=package/evil.txt\n",
      "pax record 1 is 24 bytes but not newline-terminated",
    ],
    ["no length", "path=package/evil.txt\n", "pax record 1 has no decimal length"],
    ["a record without key=value", "11 nothing\n", "pax record 1 has no key=value"],
    [
      "a bad second record",
      `${record("path=package/a.txt")}9 x=y`,
      "pax record 2 claims 9 bytes, past the header's end",
    ],
  ])("refuses a pax header with %s, which tar alone would skip", (_title, records, reason) => {
    const tar = writeTar([{ ...file("package/a.txt"), rawPax: records }]);
    expect(() => readTar(tar, "crafted.tgz")).toThrow(
      expect.objectContaining({ code: "BUNTIME_ERR_TARBALL_INVALID" }),
    );
    expect(() => readTar(tar, "crafted.tgz")).toThrow(reason);
  });
});

describe("tar archives", () => {
  it("reads back what it wrote, long paths included", () => {
    const long = `package/${"deep/".repeat(30)}file.txt`;
    const entries = readTar(writeTar([file("package/a.txt", "hello"), file(long, "deep")]), "t");
    expect(entries.map((e) => [e.path, e.type, new TextDecoder().decode(e.data)])).toEqual([
      ["package/a.txt", "file", "hello"],
      [long, "file", "deep"],
    ]);
  });

  it("writes the same bytes for the same entries", () => {
    const entries = [file("package/a.txt", "1"), file("package/b.txt", "2")];
    expect(integrityOf(tgz(entries))).toBe(integrityOf(tgz(entries)));
  });

  it("refuses an archive whose header checksum is wrong", () => {
    const tar = writeTar([file("package/a.txt")]);
    tar[0] = "z".charCodeAt(0);
    expect(() => readTar(tar, "broken.tgz")).toThrow("broken.tgz: not a valid tarball: bad header checksum");
  });
});

describe("extractTarball", () => {
  it("unpacks files under the package folder into the destination", () => {
    const dest = join(tempDir(), "out");
    const result = extractTarball(
      tgz([file("package/package.json", "{}"), file("package/src/index.ts", "1")]),
      dest,
    );
    expect(result.files).toEqual(["package.json", "src/index.ts"]);
    expect(readFileSync(join(dest, "src/index.ts"), "utf8")).toBe("1");
  });

  it.each([
    ["a '..' entry", file("package/../../escape.txt"), "a '..' segment that escapes the folder"],
    ["an absolute path", file("/tmp/absolute.txt"), "an absolute path"],
    [
      "a symlink",
      { ...file("package/link"), type: "symlink", linkTarget: "/etc/passwd" } as TarInput,
      "a symbolic link (to /etc/passwd)",
    ],
    [
      "a hard link",
      { ...file("package/hard"), type: "hardlink", linkTarget: "package/a" } as TarInput,
      "a hard link",
    ],
    ["a device", { ...file("package/dev"), type: "device" } as TarInput, "not a regular file or folder"],
  ])("refuses %s and writes nothing", (_label, bad, reason) => {
    const root = tempDir();
    const dest = join(root, "out");
    const archive = tgz([file("package/first.txt"), bad, file("package/last.txt")]);
    expect(() => extractTarball(archive, dest, { source: "evil.tgz" })).toThrow(reason);
    try {
      extractTarball(archive, dest, { source: "evil.tgz" });
    } catch (error) {
      expect((error as { code?: string }).code).toBe("BUNTIME_ERR_TARBALL_UNSAFE_ENTRY");
    }
    expect(existsSync(dest)).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });

  it("refuses bytes that are not gzip", () => {
    expect(() => extractTarball(bytes("plain text"), join(tempDir(), "out"), { source: "x.tgz" })).toThrow(
      "x.tgz: not a valid tarball: not gzip data",
    );
  });

  it("stops unpacking a gzip bomb at the size limit and writes nothing", () => {
    const dest = join(tempDir(), "out");
    const bomb = Bun.gzipSync(new Uint8Array(50 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    expect(() =>
      extractTarball(bomb, dest, { maxUnpackedBytes: 1024, maxEntries: 10, source: "bomb.tgz" }),
    ).toThrow("bomb.tgz: not a valid tarball: it unpacks to more than 13312 bytes");
    expect(existsSync(dest)).toBe(false);
  });

  it("refuses an archive past the entry limit before writing", () => {
    const dest = join(tempDir(), "out");
    expect(() =>
      extractTarball(tgz([file("package/a"), file("package/b")]), dest, { maxEntries: 1 }),
    ).toThrow("2 entries, over the limit of 1");
    expect(existsSync(dest)).toBe(false);
  });
});

describe("integrity", () => {
  it("matches only the bytes it was computed from", () => {
    const integrity = integrityOf(bytes("a"));
    expect(integrity).toStartWith("sha512-");
    expect(matchesIntegrity(bytes("a"), integrity)).toBe(true);
    expect(matchesIntegrity(bytes("b"), integrity)).toBe(false);
  });
});
