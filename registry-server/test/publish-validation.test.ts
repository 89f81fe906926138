import { describe, expect, it } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { call, signUp, startTestRegistry } from "./helpers/registry.ts";
import { buildTgz, packageTgz, publishBody, type TarEntry } from "./helpers/tarball.ts";

const registry = await startTestRegistry({
  limits: { maxTarballBytes: 64 * 1024, maxUnpackedBytes: 1024 * 1024, maxEntries: 50 },
});
const token = await signUp(registry.base, "pub");
const pkgJson = (name: string, version: string, extra: object = {}) => ({
  path: "package/package.json",
  content: JSON.stringify({ name, version, ...extra }),
});

function storedBlobs(): string[] {
  try {
    return readdirSync(join(registry.dir, "store", "tarballs"), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".tgz"));
  } catch {
    return [];
  }
}

interface Rejection {
  title: string;
  name: string;
  body: () => unknown;
  status: number;
  code: string;
  message: RegExp;
}

const tgz = (entries: TarEntry[]) => buildTgz(entries);
const rejections: Rejection[] = [
  {
    title: "a tarball over the size limit with 413",
    name: "too-big",
    body: () => publishBody("too-big", "1.0.0", gzipSync(randomBytes(80 * 1024))),
    status: 413,
    code: "BUNTIME_ERR_REGISTRY_TARBALL_TOO_LARGE",
    message: /too-big@1\.0\.0: the tarball is \d+ bytes, over the 65536-byte limit/,
  },
  {
    title: "a tarball that unpacks past the unpacked limit with 413",
    name: "zip-bomb",
    body: () =>
      publishBody(
        "zip-bomb",
        "1.0.0",
        tgz([pkgJson("zip-bomb", "1.0.0"), { path: "package/zeros", content: "\0".repeat(2 * 1024 * 1024) }]),
      ),
    status: 413,
    code: "BUNTIME_ERR_REGISTRY_TARBALL_TOO_LARGE",
    message: /unpacked tarball is more than 1048576 bytes/,
  },
  {
    title: "a tarball with more entries than allowed",
    name: "many-files",
    body: () =>
      publishBody(
        "many-files",
        "1.0.0",
        tgz([
          pkgJson("many-files", "1.0.0"),
          ...Array.from({ length: 60 }, (_, i) => ({ path: `package/f${i}.js`, content: "x" })),
        ]),
      ),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_TARBALL_INVALID",
    message: /at least 51 entries, over the limit of 50/,
  },
  {
    title: "data that is not gzip",
    name: "not-gzip",
    body: () => publishBody("not-gzip", "1.0.0", new TextEncoder().encode("plain text, not a tarball")),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_TARBALL_INVALID",
    message: /not-gzip@1\.0\.0: invalid tarball: not gzip data/,
  },
  {
    title: "gzip that does not hold a tar archive",
    name: "not-tar",
    body: () => publishBody("not-tar", "1.0.0", gzipSync(randomBytes(2048))),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_TARBALL_INVALID",
    message: /TAR_(BAD_ARCHIVE|ENTRY_INVALID)|not a tar archive/,
  },
  {
    title: "a tarball entry that is not under package/",
    name: "outside",
    body: () =>
      publishBody(
        "outside",
        "1.0.0",
        tgz([pkgJson("outside", "1.0.0"), { path: "other/evil.js", content: "x" }]),
      ),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_TARBALL_INVALID",
    message: /refused entry other\/evil.js: not under package\//,
  },
  {
    title: "a tarball entry that escapes package/ with ..",
    name: "dotdot",
    body: () =>
      publishBody(
        "dotdot",
        "1.0.0",
        tgz([pkgJson("dotdot", "1.0.0"), { path: "package/../../etc/x", content: "x" }]),
      ),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_TARBALL_INVALID",
    message: /refused entry package\/\.\.\/\.\.\/etc\/x: a '\.\.' segment that escapes the folder/,
  },
  {
    title: "a tarball entry with an absolute path",
    name: "absolute",
    body: () =>
      publishBody(
        "absolute",
        "1.0.0",
        tgz([pkgJson("absolute", "1.0.0"), { path: "/etc/passwd", content: "x" }]),
      ),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_TARBALL_INVALID",
    message: /absolute/,
  },
  ...(
    [
      ["2", "SymbolicLink", "a symbolic link (to /etc/passwd)"],
      ["1", "Link", "a hard link (to /etc/passwd)"],
      ["3", "CharacterDevice", "not a regular file or folder (a character device)"],
      ["4", "BlockDevice", "not a regular file or folder (a block device)"],
      ["6", "FIFO", "not a regular file or folder (a fifo)"],
    ] as const
  ).map(([type, label, reason]) => ({
    title: `a tarball holding a ${label}`,
    name: `has-${label.toLowerCase()}`,
    body: () =>
      publishBody(
        `has-${label.toLowerCase()}`,
        "1.0.0",
        tgz([
          pkgJson(`has-${label.toLowerCase()}`, "1.0.0"),
          { path: "package/special", type, linkname: type <= "2" ? "/etc/passwd" : "" },
        ]),
      ),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_TARBALL_INVALID",
    message: new RegExp(`refused entry package/special: ${reason.replace(/[()]/g, "\\$&")}`),
  })),
  {
    title: "a tarball that holds one path twice",
    name: "twice",
    body: () =>
      publishBody(
        "twice",
        "1.0.0",
        tgz([pkgJson("twice", "1.0.0"), { path: "package/package.json", content: '{"name":"other"}' }]),
      ),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_TARBALL_INVALID",
    message: /refused entry package\/package.json: a second entry for the same path/,
  },
  {
    title: "a malformed pax record (tar alone would skip it, so readers could disagree on the path)",
    name: "bad-pax",
    body: () =>
      publishBody(
        "bad-pax",
        "1.0.0",
        tgz([
          pkgJson("bad-pax", "1.0.0"),
          { path: "package/index.js", rawPax: "99 path=package/../evil.js\n" },
        ]),
      ),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_TARBALL_INVALID",
    message: /bad-pax@1\.0\.0.*pax record 1 claims 99 bytes, past the header's end/,
  },
  {
    title: "a tarball without package/package.json",
    name: "no-manifest",
    body: () => publishBody("no-manifest", "1.0.0", tgz([{ path: "package/index.js", content: "x" }])),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_TARBALL_INVALID",
    message: /no package\/package.json/,
  },
  {
    title: "a package.json whose name differs from the request",
    name: "named-right",
    body: () => publishBody("named-right", "1.0.0", packageTgz("named-wrong", "1.0.0")),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_PACKAGE_MISMATCH",
    message: /package.json is named-wrong@1\.0\.0 but the request publishes named-right@1\.0\.0/,
  },
  {
    title: "a package.json whose version differs from the request",
    name: "versioned",
    body: () => publishBody("versioned", "1.0.0", packageTgz("versioned", "9.9.9")),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_PACKAGE_MISMATCH",
    message: /versioned@9\.9\.9 but the request publishes versioned@1\.0\.0/,
  },
  {
    title: "a plugin whose buntime manifest is invalid",
    name: "bad-plugin",
    body: () =>
      publishBody(
        "bad-plugin",
        "1.0.0",
        packageTgz("bad-plugin", "1.0.0", { buntime: { kernel: "not a range", base: "/_/x" } }),
      ),
    status: 400,
    code: "BUNTIME_ERR_MANIFEST_INVALID",
    message:
      /^bad-plugin@1\.0\.0 \(published tarball\): invalid plugin manifest: buntime.kernel: expected a semver range.*buntime.base: the \/_ prefix is reserved/,
  },
  {
    title: "a declared integrity that does not match the tarball",
    name: "wrong-integrity",
    body: () =>
      publishBody("wrong-integrity", "1.0.0", packageTgz("wrong-integrity", "1.0.0"), {
        doc: { dist: { integrity: `sha512-${createHash("sha512").update("other").digest("base64")}` } },
      }),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_INTEGRITY_MISMATCH",
    message: /declared integrity sha512-\S+ does not match the tarball \(sha512-/,
  },
  {
    title: "a declared shasum that does not match the tarball",
    name: "wrong-shasum",
    body: () =>
      publishBody("wrong-shasum", "1.0.0", packageTgz("wrong-shasum", "1.0.0"), {
        doc: { dist: { shasum: "0".repeat(40) } },
      }),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_INTEGRITY_MISMATCH",
    message: /declared shasum 0{40} does not match/,
  },
  {
    title: "a body that names another package than the URL",
    name: "url-name",
    body: () => ({ ...publishBody("body-name", "1.0.0", packageTgz("body-name", "1.0.0")) }),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_PUBLISH_INVALID",
    message: /body names body-name but the URL names url-name/,
  },
  {
    title: "a version that is not canonical semver",
    name: "loose-version",
    body: () => publishBody("loose-version", "v1.0.0", packageTgz("loose-version", "v1.0.0")),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_PUBLISH_INVALID",
    message: /"v1\.0\.0" is not a canonical semver version/,
  },
  {
    title: "a dist-tag that is a semver range",
    name: "range-tag",
    body: () => publishBody("range-tag", "1.0.0", packageTgz("range-tag", "1.0.0"), { tag: "1.x" }),
    status: 400,
    code: "BUNTIME_ERR_REGISTRY_TAG_INVALID",
    message: /invalid dist-tag 1\.x/,
  },
];

describe("publish validation", () => {
  for (const rejection of rejections) {
    it(`refuses ${rejection.title}`, async () => {
      const res = await call(registry.base, "PUT", `/${rejection.name}`, { token, body: rejection.body() });
      expect(res.status).toBe(rejection.status);
      expect(res.body.error.code).toBe(rejection.code);
      expect(res.body.error.message).toMatch(rejection.message);
    });
  }

  it("leaves no trace of a refused publish: no package, no blob", async () => {
    for (const rejection of rejections) {
      const res = await call(registry.base, "GET", `/${rejection.name}`);
      expect(res.status).toBe(404);
    }
    expect(storedBlobs()).toEqual([]);
  });

  it("refuses a publish without a token with 401 and one with a read token with 403", async () => {
    const body = publishBody("tokenless", "1.0.0", packageTgz("tokenless", "1.0.0"));
    const anonymous = await call(registry.base, "PUT", "/tokenless", { body });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toEqual({
      code: "BUNTIME_ERR_REGISTRY_AUTH_REQUIRED",
      message: "publishing tokenless needs a registry token",
    });
    const read = await call(registry.base, "POST", "/-/npm/v1/tokens", {
      token,
      body: { password: "correct-horse", readonly: true },
    });
    expect(read.status).toBe(201);
    const refused = await call(registry.base, "PUT", "/tokenless", { token: read.body.token, body });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(
      "a 'read' token cannot be used for publishing tokenless (needs 'publish')",
    );
  });

  it("accepts a valid publish, computes integrity itself and refuses to republish the version with 409", async () => {
    const tarball = packageTgz("@pub/solid", "1.0.0", { buntime: { kernel: ">=0.1.0" } });
    const first = await call(registry.base, "PUT", "/@pub%2fsolid", {
      token,
      body: publishBody("@pub/solid", "1.0.0", tarball),
    });
    expect(first.status).toBe(201);
    const again = packageTgz("@pub/solid", "1.0.0", { description: "different bytes" });
    const second = await call(registry.base, "PUT", "/@pub%2fsolid", {
      token,
      body: publishBody("@pub/solid", "1.0.0", again),
    });
    expect(second.status).toBe(409);
    expect(second.body.error).toEqual({
      code: "BUNTIME_ERR_REGISTRY_VERSION_EXISTS",
      message: "@pub/solid@1.0.0 was already published; versions are immutable",
    });
    const served = new Uint8Array(
      await (await fetch(`${registry.base}/@pub/solid/-/solid-1.0.0.tgz`)).arrayBuffer(),
    );
    expect(Buffer.from(served).equals(Buffer.from(tarball))).toBe(true);
    const doc = (await call(registry.base, "GET", "/@pub%2fsolid")).body;
    expect(doc.versions["1.0.0"].dist.integrity).toBe(
      `sha512-${createHash("sha512").update(tarball).digest("base64")}`,
    );
    expect(doc.versions["1.0.0"].dist.shasum).toBe(createHash("sha1").update(tarball).digest("hex"));
    expect(storedBlobs()).toHaveLength(1);
  });

  it("refuses a publish by a user who does not own the package", async () => {
    const mallory = await signUp(registry.base, "mallory");
    const body = publishBody("@pub/solid", "2.0.0", packageTgz("@pub/solid", "2.0.0"));
    const res = await call(registry.base, "PUT", "/@pub%2fsolid", { token: mallory, body });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({
      code: "BUNTIME_ERR_REGISTRY_NOT_OWNER",
      message: "mallory is not an owner of @pub/solid",
    });
  });
});

describe("concurrent publishes", () => {
  it("lets exactly one of eight simultaneous publishes of one version win and keeps its bytes", async () => {
    const tarballs = Array.from({ length: 8 }, (_, i) =>
      packageTgz("race", "1.0.0", { description: `contender ${i}` }),
    );
    const results = await Promise.all(
      tarballs.map((tarball) =>
        call(registry.base, "PUT", "/race", { token, body: publishBody("race", "1.0.0", tarball) }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const served = Buffer.from(await (await fetch(`${registry.base}/race/-/race-1.0.0.tgz`)).arrayBuffer());
    const winner = tarballs.findIndex((t) => Buffer.from(t).equals(served));
    expect(winner).toBeGreaterThanOrEqual(0);
    const doc = (await call(registry.base, "GET", "/race")).body;
    expect(doc.description).toBe(`contender ${winner}`);
    expect(storedBlobs().filter((f) => f.startsWith("race/"))).toHaveLength(1);
  });
});
