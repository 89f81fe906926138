import { describe, expect, it } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BuntimeError } from "@buntime/sdk";
import {
  type ExtractOptions,
  extractTarball,
  readTar,
  readTarball,
  type TarInput,
  writeTar,
} from "@buntime/supply";
import { tempDir } from "@buntime/test-kit/fixtures";
import { bytes, file, folder, tgz } from "./helpers/tar-inputs.ts";

function refusal(archive: Uint8Array, options: ExtractOptions, dest: string): BuntimeError {
  try {
    extractTarball(archive, dest, options);
  } catch (error) {
    return error as BuntimeError;
  }
  throw new Error("the tarball was extracted");
}

interface HostileCase {
  label: string;
  entries: TarInput[];
  entry: string;
  reason: string;
  options?: ExtractOptions;
}

const hostile: HostileCase[] = [
  {
    label: "a path escaping package/ with '..'",
    entries: [file("package/../escape.txt")],
    entry: "package/../escape.txt",
    reason: "a '..' segment that escapes the folder",
  },
  {
    label: "a path outside package/",
    entries: [file("other/evil.js")],
    entry: "other/evil.js",
    reason: "not under package/",
  },
  {
    label: "an absolute path",
    entries: [file("/etc/cron.d/evil")],
    entry: "/etc/cron.d/evil",
    reason: "an absolute path",
  },
  {
    label: "a Windows drive path",
    entries: [file("C:/Windows/evil.dll")],
    entry: "C:/Windows/evil.dll",
    reason: "an absolute path",
  },
  {
    label: "a backslash path",
    entries: [file("package/..\\..\\evil.txt")],
    entry: "package/..\\..\\evil.txt",
    reason: "a backslash in its path",
  },
  {
    label: "a symlink inside package/",
    entries: [{ ...file("package/link"), type: "symlink", linkTarget: "index.js" }],
    entry: "package/link",
    reason: "a symbolic link (to index.js)",
  },
  {
    label: "a symlink leaving package/",
    entries: [{ ...file("package/link"), type: "symlink", linkTarget: "../../.ssh/id_ed25519" }],
    entry: "package/link",
    reason: "a symbolic link (to ../../.ssh/id_ed25519)",
  },
  {
    label: "a hard link",
    entries: [{ ...file("package/hard"), type: "hardlink", linkTarget: "/etc/shadow" }],
    entry: "package/hard",
    reason: "a hard link (to /etc/shadow)",
  },
  {
    label: "a device",
    entries: [{ ...file("package/null"), type: "device" }],
    entry: "package/null",
    reason: "not a regular file or folder (a character device)",
  },
  {
    label: "a second entry for a path already written",
    entries: [file("package/index.js", "good"), file("package/./index.js", "evil")],
    entry: "package/./index.js",
    reason: "a second entry for the same path",
  },
  {
    label: "an entry inside a file",
    entries: [file("package/lib"), file("package/lib/evil.js")],
    entry: "package/lib/evil.js",
    reason: "inside package/lib, which is a file",
  },
  {
    label: "a file where other entries make a folder",
    entries: [file("package/lib/a.js"), file("package/lib")],
    entry: "package/lib",
    reason: "a file where other entries make a folder",
  },
  {
    label: "an entry past the unpacked size limit",
    entries: [file("package/small.txt", "x".repeat(600)), file("package/big.bin", "x".repeat(600))],
    entry: "package/big.bin",
    reason: "its 600 bytes take the unpacked size over the limit of 1000",
    options: { maxUnpackedBytes: 1000 },
  },
];

describe("the tarball safety policy", () => {
  it.each(hostile.map((c) => [c.label, c] as const))(
    "refuses %s, naming the entry, and leaves nothing",
    (_label, c) => {
      const root = tempDir();
      const dest = join(root, "out");
      const archive = tgz([file("package/package.json", "{}"), ...c.entries, file("package/last.txt")]);
      const error = refusal(archive, { source: "evil.tgz", ...c.options }, dest);
      expect(error.code).toBe("BUNTIME_ERR_TARBALL_UNSAFE_ENTRY");
      expect(error.params.entry).toBe(c.entry);
      expect(error.message).toBe(`evil.tgz: refused entry ${c.entry}: ${c.reason}`);
      expect(readdirSync(root)).toEqual([]);
    },
  );

  it("refuses an entry announcing a gzip bomb before unpacking it, and leaves nothing", () => {
    const root = tempDir();
    const bomb = tgz([{ path: "package/zeros", data: new Uint8Array(64 * 1024 * 1024), mode: 0o644 }]);
    expect(bomb.length).toBeLessThan(100 * 1024);
    const started = performance.now();
    const error = refusal(bomb, { source: "bomb.tgz", maxUnpackedBytes: 1024 }, join(root, "out"));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.message).toBe(
      "bomb.tgz: refused entry package/zeros: its 67108864 bytes take the unpacked size over the limit of 1024",
    );
    expect(error.params.limit).toBe("maxUnpackedBytes");
    expect(readdirSync(root)).toEqual([]);
  });

  it("refuses an entry of a type tar does not know", () => {
    const tar = writeTar([file("package/package.json", "{}"), file("package/odd")]);
    const odd = 1024; // the second header: its type flag is byte 156
    tar[odd + 156] = "V".charCodeAt(0);
    let sum = 0;
    for (let i = odd; i < odd + 512; i++) sum += i >= odd + 148 && i < odd + 156 ? 32 : (tar[i] as number);
    tar.set(bytes(`${sum.toString(8).padStart(6, "0")}\0 `), odd + 148);
    const error = refusal(Bun.gzipSync(tar as Uint8Array<ArrayBuffer>), {}, join(tempDir(), "out"));
    expect(error.message).toBe(
      "tarball: refused entry package/odd: not a regular file or folder (an entry of type TapeVolumeHeader)",
    );
  });

  it("leaves nothing behind when the destination is already taken", () => {
    const root = tempDir();
    const dest = join(root, "out");
    mkdirSync(dest);
    writeFileSync(join(dest, "mine.txt"), "mine");
    expect(() => extractTarball(tgz([file("package/package.json", "{}")]), dest)).toThrow();
    expect(readdirSync(root)).toEqual(["out"]);
    expect(readdirSync(dest)).toEqual(["mine.txt"]);
  });
});

describe("readTarball", () => {
  it("answers the entries under package/, folders included, without writing anything", () => {
    const read = readTarball(
      tgz([folder("package/"), folder("package/src/"), file("package/src/a.ts", "a")]),
    );
    expect(read.entries.map((e) => [e.path, e.type, new TextDecoder().decode(e.data)])).toEqual([
      ["src", "directory", ""],
      ["src/a.ts", "file", "a"],
    ]);
    expect(read.unpackedBytes).toBe(1);
  });

  it("refuses an archive without entries", () => {
    expect(() => readTarball(Bun.gzipSync(new Uint8Array(1024)), { source: "empty.tgz" })).toThrow(
      "empty.tgz: not a valid tarball: it holds no entries",
    );
  });

  it("refuses a truncated archive", () => {
    const tar = writeTar([file("package/a.txt", "y".repeat(2000))]);
    expect(() => readTarball(Bun.gzipSync(tar.subarray(0, 1024) as Uint8Array<ArrayBuffer>))).toThrow(
      /not a valid tarball: Truncated input/,
    );
  });
});

describe("tar archives written by writeTar", () => {
  it("keep paths and link targets longer than ustar holds, through pax records", () => {
    const long = `package/${"a-rather-long-folder-name/".repeat(12)}file.txt`;
    const target = "t".repeat(150);
    const entries = readTar(
      writeTar([file(long, "deep"), { ...file("package/l"), type: "symlink", linkTarget: target }]),
      "t",
    );
    expect(entries.map((e) => [e.path, e.type, e.linkTarget])).toEqual([
      [long, "file", ""],
      ["package/l", "symlink", target],
    ]);
  });
});
