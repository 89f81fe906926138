import { afterEach, describe, expect, it } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { extractTarball, packPackage, packPlugin, packWarnings, readTar } from "@buntime/supply";

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const manifest = { name: "@acme/hello", version: "1.2.3", buntime: { kernel: "^0.1.0", base: "/hello" } };

function pluginFolder(files: Record<string, string>, pkg: Record<string, unknown> = manifest): string {
  const dir = mkdtempSync(join(tmpdir(), "sdk-pack-"));
  temporary.push(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify(pkg));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("packPlugin", () => {
  it("gives the same bytes for the same files, whatever their mtimes", () => {
    const dir = pluginFolder({ "index.ts": "export default {}", "README.md": "# hi" });
    const first = packPlugin(dir);
    utimesSync(join(dir, "index.ts"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const second = packPlugin(dir);
    expect(second.integrity).toBe(first.integrity);
    expect(Buffer.from(second.tarball).equals(Buffer.from(first.tarball))).toBe(true);
    expect(first.filename).toBe("acme-hello-1.2.3.tgz");
  });

  it("packs sorted entries under package/ and never node_modules or .git", () => {
    const dir = pluginFolder({
      "src/z.ts": "z",
      "src/a.ts": "a",
      "node_modules/dep/index.js": "no",
      ".git/HEAD": "no",
    });
    const entries = readTar(Bun.gunzipSync(packPlugin(dir).tarball as Uint8Array<ArrayBuffer>), "t");
    expect(entries.map((e) => e.path)).toEqual([
      "package/package.json",
      "package/src/a.ts",
      "package/src/z.ts",
    ]);
  });

  it("writes fixed modes and no timestamp, in the tar headers or the gzip header", () => {
    const dir = pluginFolder({ "index.ts": "1", "bin/run.sh": "#!/bin/sh" });
    chmodSync(join(dir, "bin/run.sh"), 0o775);
    const { tarball } = packPlugin(dir);
    expect([...tarball.subarray(4, 8)]).toEqual([0, 0, 0, 0]);
    const tar = Bun.gunzipSync(tarball as Uint8Array<ArrayBuffer>);
    const entries = readTar(tar, "t");
    expect(entries.map((e) => [e.path, e.mode.toString(8)])).toEqual([
      ["package/bin/run.sh", "755"],
      ["package/index.ts", "644"],
      ["package/package.json", "644"],
    ]);
    // mtime (bytes 136-147), uid and gid of the first header are all zero
    const octal = (from: number, to: number) =>
      Number.parseInt(new TextDecoder().decode(tar.subarray(from, to)), 8);
    expect([octal(108, 116), octal(116, 124), octal(136, 148)]).toEqual([0, 0, 0]);
  });

  it("honours .npmignore, negations included", () => {
    const dir = pluginFolder({
      ".npmignore": "test/\n*.log\n!keep.log\n",
      "index.ts": "1",
      "test/a.test.ts": "t",
      "debug.log": "l",
      "keep.log": "k",
    });
    expect(packPlugin(dir).files).toEqual(["index.ts", "keep.log", "package.json"]);
  });

  it("packs only the files field, plus package.json and the README", () => {
    const dir = pluginFolder(
      { "src/index.ts": "1", "bench/b.ts": "b", "README.md": "r", "notes.txt": "n" },
      { ...manifest, files: ["src"] },
    );
    expect(packPlugin(dir).files).toEqual(["README.md", "package.json", "src/index.ts"]);
  });

  it("validates the manifest before packing", () => {
    const dir = pluginFolder({ "index.ts": "1" }, { name: "bad", version: "1.0.0", buntime: { base: "/x" } });
    expect(() => packPlugin(dir)).toThrow("invalid plugin manifest: buntime.kernel");
  });

  it("names the folder when there is no package.json", () => {
    const dir = mkdtempSync(join(tmpdir(), "sdk-pack-"));
    temporary.push(dir);
    expect(() => packPlugin(dir)).toThrow(`${dir}: cannot pack: no readable package.json`);
  });

  it("unpacks to the same files it packed", () => {
    const dir = pluginFolder({ "index.ts": "export default 1" });
    const out = join(dir, "..", `${dir.split("/").pop()}-out`);
    temporary.push(out);
    expect(extractTarball(packPlugin(dir).tarball, out).files).toEqual(["index.ts", "package.json"]);
  });
});

describe("packPackage", () => {
  it("packs a library without a plugin manifest, by npm's rules", () => {
    const dir = pluginFolder(
      { "src/index.ts": "export {};\n", "test/a.test.ts": "" },
      {
        name: "@acme/lib",
        version: "2.0.0",
        files: ["src"],
      },
    );
    const packed = packPackage(dir);
    expect(packed.filename).toBe("acme-lib-2.0.0.tgz");
    expect(packed.files).toEqual(["package.json", "src/index.ts"]);
    expect(() => packPlugin(dir)).toThrow("invalid plugin manifest");
  });

  it("refuses a package without an npm name or a semver version, naming the folder", () => {
    for (const pkg of [{ name: "Bad Name", version: "1.0.0" }, { name: "ok", version: "one" }, {}]) {
      const dir = pluginFolder({}, pkg);
      expect(() => packPackage(dir)).toThrow(`${dir}: cannot pack: package.json needs an npm package name`);
    }
  });
});

describe("ignore rules", () => {
  it.each([
    ["/dist anchors to the root", "/dist\n", ["dist/a.js", "src/dist/b.js"], ["src/dist/b.js"]],
    ["a trailing slash matches folders only", "logs/\n", ["logs/a.txt", "src/logs"], ["src/logs"]],
    ["a later negation wins", "*.md\n!KEEP.md\n", ["a.md", "KEEP.md"], ["KEEP.md"]],
    ["comments and blank lines are skipped", "# note\n\n*.tmp\n", ["x.tmp", "x.ts"], ["x.ts"]],
  ])("%s", (_label, npmignore, files, expected) => {
    const dir = pluginFolder({ ".npmignore": npmignore, ...Object.fromEntries(files.map((f) => [f, "x"])) });
    expect(packPlugin(dir).files.filter((f) => f !== "package.json")).toEqual(expected);
  });
});

describe("packWarnings", () => {
  it.each([
    [".env", "an environment file (often holds secrets)"],
    ["config/.env.production", "an environment file (often holds secrets)"],
    ["certs/server.PEM", "a PEM key or certificate"],
    ["tls.key", "a key file"],
    ["id_ed25519.pub", "an SSH key"],
    ["store.p12", "a PKCS#12 key store"],
    ["dist/index.js.map", "a source map (it carries your source)"],
  ])("warns about %s", (path, why) => {
    expect(packWarnings([path])).toEqual([`${path} is packed: ${why}`]);
  });

  it("says nothing about ordinary files", () => {
    expect(packWarnings(["src/index.ts", "environment.ts", "keys.ts", "README.md"])).toEqual([]);
  });
});
