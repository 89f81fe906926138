import { describe, expect, it } from "bun:test";
import { createHash } from "node:crypto";
import { appendFileSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  BUILD_FILES,
  buildDistribution,
  type DistroLock,
  manifestHash,
  parseManifest,
  serializeLock,
  verifyBuild,
} from "@buntime/distro";
import { isBuntimeError } from "@buntime/sdk";
import { tempDir } from "@buntime/test-kit/fixtures";

/** A build with no plugins and a vendored runner (semver and its dependencies); answers its folder. */
async function runnerBuild(): Promise<string> {
  const dir = tempDir();
  const manifestPath = join(dir, "buntime.distro.json");
  writeFileSync(manifestPath, JSON.stringify({ name: "edge", version: "1.0.0" }));
  const manifest = parseManifest(JSON.parse(readFileSync(manifestPath, "utf8")), manifestPath);
  const lock: DistroLock = {
    lockfileVersion: 1,
    name: "edge",
    version: "1.0.0",
    manifest: manifestHash(manifest),
    kernel: "0.1.0",
    registry: "http://127.0.0.1:4873/",
    registryKeys: [],
    publisherKeys: {},
    plugins: {},
  };
  const lockPath = join(dir, "distro.lock.json");
  writeFileSync(lockPath, serializeLock(lock));
  const out = join(dir, "build");
  await buildDistribution({
    manifest,
    manifestPath,
    lock,
    lockPath,
    out,
    builder: "test",
    tarballs: () => Promise.reject(new Error("no plugins to fetch")),
    runner: {
      roots: [{ name: "semver", from: import.meta.dir }],
      bin: "semver/bin/semver.js",
      resolveFrom: dir,
    },
  });
  return out;
}

/** What `verifyBuild(dir)` refuses with, as `code: message`, or "verified". */
function verdict(dir: string): string {
  try {
    verifyBuild(dir);
    return "verified";
  } catch (error) {
    return isBuntimeError(error) ? `${error.code}: ${error.message}` : String(error);
  }
}

const FILE = "node_modules/semver/package.json";

describe("verifyBuild: the vendored runner", () => {
  it("records a sha256 of every runner file and checks each at start, naming the one changed, added or missing", async () => {
    const build = await runnerBuild();
    const hashes = JSON.parse(readFileSync(join(build, BUILD_FILES.vendor), "utf8")) as Record<
      string,
      string
    >;
    const expected = createHash("sha256")
      .update(readFileSync(join(build, FILE)))
      .digest("base64");
    expect(hashes[FILE]).toBe(`sha256-${expected}`);
    expect(verdict(build)).toBe("verified");

    const original = readFileSync(join(build, FILE));
    appendFileSync(join(build, FILE), " ");
    expect(verdict(build)).toContain(`node_modules: ${FILE} differs from the build`);
    writeFileSync(join(build, FILE), original);

    writeFileSync(join(build, "node_modules/semver/extra.js"), "export {};\n");
    expect(verdict(build)).toContain("node_modules/semver/extra.js was not built into this distribution");
    unlinkSync(join(build, "node_modules/semver/extra.js"));

    unlinkSync(join(build, FILE));
    symlinkSync(join(build, "nowhere"), join(build, FILE));
    expect(verdict(build)).toContain(`node_modules: ${FILE} differs from the build`);

    unlinkSync(join(build, FILE));
    expect(verdict(build)).toContain(`node_modules: ${FILE} is missing`);
  }, 30_000);

  it("still checks the sha512 digests an earlier build recorded, and refuses a digest of any other kind, and a runner whose list was removed", async () => {
    const build = await runnerBuild();
    const listPath = join(build, BUILD_FILES.vendor);
    const hashes = JSON.parse(readFileSync(listPath, "utf8")) as Record<string, string>;
    const sha512 = (file: string) =>
      `sha512-${createHash("sha512")
        .update(readFileSync(join(build, file)))
        .digest("base64")}`;
    const write = (entries: Record<string, string>) => writeFileSync(listPath, JSON.stringify(entries));
    write(Object.fromEntries(Object.keys(hashes).map((file) => [file, sha512(file)])));
    expect(verdict(build)).toBe("verified");

    const md5 = `md5-${createHash("md5")
      .update(readFileSync(join(build, FILE)))
      .digest("base64")}`;
    write({ ...hashes, [FILE]: md5 });
    expect(verdict(build)).toContain(`${FILE} differs from the build`);

    rmSync(listPath);
    expect(verdict(build)).toBe(
      "BUNTIME_ERR_DISTRO_TAMPERED: node_modules: vendor.json is missing; refusing to start",
    );
  }, 30_000);
});
