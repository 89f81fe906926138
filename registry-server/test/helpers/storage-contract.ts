import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createRegistryServer, type RegistryStorage, type VersionRecord } from "@buntime/registry-server";
import { isBuntimeError } from "@buntime/sdk";
import { packageTgz, publishBody } from "./tarball.ts";

let counter = 0;
/** A name no other test in the run uses. */
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

function version(name: string, v: string, publisher = "owner"): VersionRecord {
  return {
    name,
    version: v,
    manifest: { name, version: v, description: `${name} ${v}` },
    integrity: `sha512-${v}`,
    shasum: "0".repeat(40),
    size: 10,
    unpackedSize: 20,
    fileCount: 2,
    blobKey: `${name}/${v}.tgz`,
    publishedAt: new Date(Date.now() + counter).toISOString(),
    publisher,
    deprecated: null,
    readme: "# readme",
    registrySignature: { keyid: "k", sig: "s" },
    publisherSignature: null,
  };
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isBuntimeError(error)) return error.code;
    throw error;
  }
  return "resolved";
}

/**
 * The behaviour every storage backend must show, run once per backend. `open` gives a fresh
 * storage; it is closed after the suite.
 */
export function storageContract(label: string, open: () => Promise<RegistryStorage>): void {
  describe(`${label} storage contract`, () => {
    let storage: RegistryStorage;
    beforeAll(async () => {
      storage = await open();
    });
    afterAll(() => storage.metadata.close());

    it("keeps the first value of a setting", async () => {
      const key = unique("setting");
      expect(await storage.metadata.settingOrInit(key, "first")).toBe("first");
      expect(await storage.metadata.settingOrInit(key, "second")).toBe("first");
    });

    it("creates a user once and refuses the same name again", async () => {
      const name = unique("user");
      const user = {
        name,
        passwordHash: "h",
        email: null,
        admin: false,
        createdAt: new Date().toISOString(),
      };
      const before = await storage.metadata.countUsers();
      expect(await storage.metadata.createUser(user)).toBe(true);
      expect(await storage.metadata.createUser({ ...user, passwordHash: "other" })).toBe(false);
      expect(await storage.metadata.getUser(name)).toEqual(user);
      expect(await storage.metadata.countUsers()).toBe(before + 1);
      expect(await storage.metadata.getUser(unique("ghost"))).toBeUndefined();
    });

    it("finds live tokens by hash and forgets revoked ones", async () => {
      const user = unique("holder");
      const token = {
        id: unique("id"),
        user,
        label: "ci",
        hash: unique("hash"),
        scope: "read" as const,
        createdAt: "2026-01-01T00:00:00.000Z",
        revokedAt: null,
      };
      await storage.metadata.createToken(token);
      expect(await storage.metadata.findToken(token.hash)).toEqual(token);
      expect(await storage.metadata.revokeToken("someone-else", token.id)).toBe(false);
      expect(await storage.metadata.revokeToken(user, token.id)).toBe(true);
      expect(await storage.metadata.revokeToken(user, token.id)).toBe(false);
      expect(await storage.metadata.findToken(token.hash)).toBeUndefined();
      const [listed] = await storage.metadata.listTokens(user);
      expect(listed?.revokedAt).not.toBeNull();
    });

    it("creates a package owned by its first publisher with the given tags", async () => {
      const name = unique("pkg");
      const first = version(name, "1.0.0");
      await storage.metadata.insertVersion(first, ["latest", "beta"]);
      await storage.metadata.insertVersion(version(name, "1.1.0"), ["latest"]);
      const pkg = await storage.metadata.getPackage(name);
      expect(pkg?.owners).toEqual(["owner"]);
      expect(pkg?.distTags).toEqual({ latest: "1.1.0", beta: "1.0.0" });
      expect((await storage.metadata.listVersions(name)).map((v) => v.version)).toEqual(["1.0.0", "1.1.0"]);
      expect(await storage.metadata.getVersion(name, "1.0.0")).toEqual(first);
      expect((await storage.metadata.getVersion(name, "1.1.0"))?.manifest.description).toBe(`${name} 1.1.0`);
    });

    it("refuses an existing version and leaves the stored one untouched", async () => {
      const name = unique("immutable");
      const original = version(name, "1.0.0");
      await storage.metadata.insertVersion(original, ["latest"]);
      const code = await rejection(
        storage.metadata.insertVersion({ ...original, integrity: "sha512-other" }, ["latest"]),
      );
      expect(code).toBe("BUNTIME_ERR_REGISTRY_VERSION_EXISTS");
      expect((await storage.metadata.getVersion(name, "1.0.0"))?.integrity).toBe(original.integrity);
    });

    it("refuses a publisher who is not an owner and stores nothing", async () => {
      const name = unique("owned");
      await storage.metadata.insertVersion(version(name, "1.0.0"), ["latest"]);
      const code = await rejection(
        storage.metadata.insertVersion(version(name, "2.0.0", "intruder"), ["latest"]),
      );
      expect(code).toBe("BUNTIME_ERR_REGISTRY_NOT_OWNER");
      expect(await storage.metadata.getVersion(name, "2.0.0")).toBeUndefined();
      expect((await storage.metadata.getPackage(name))?.distTags).toEqual({ latest: "1.0.0" });
    });

    it("lets exactly one of many concurrent inserts of one version win", async () => {
      const name = unique("race");
      const attempts = Array.from({ length: 10 }, (_, i) =>
        rejection(
          storage.metadata.insertVersion({ ...version(name, "1.0.0"), integrity: `sha512-${i}` }, ["latest"]),
        ),
      );
      const results = await Promise.all(attempts);
      expect(results.filter((r) => r === "resolved")).toHaveLength(1);
      expect(results.filter((r) => r === "BUNTIME_ERR_REGISTRY_VERSION_EXISTS")).toHaveLength(9);
      const stored = await storage.metadata.getVersion(name, "1.0.0");
      expect(stored?.integrity).toBe(`sha512-${results.indexOf("resolved")}`);
    });

    it("unpublishes a version: hidden, its tags gone, its number still reserved", async () => {
      const name = unique("gone");
      await storage.metadata.insertVersion(version(name, "1.0.0"), ["latest"]);
      await storage.metadata.insertVersion(version(name, "2.0.0"), ["next"]);
      await storage.metadata.unpublishVersion(name, "2.0.0");
      expect(await storage.metadata.getVersion(name, "2.0.0")).toBeUndefined();
      expect((await storage.metadata.listVersions(name)).map((v) => v.version)).toEqual(["1.0.0"]);
      expect((await storage.metadata.getPackage(name))?.distTags).toEqual({ latest: "1.0.0" });
      expect(await rejection(storage.metadata.insertVersion(version(name, "2.0.0"), []))).toBe(
        "BUNTIME_ERR_REGISTRY_VERSION_EXISTS",
      );
      expect(await storage.metadata.referencedBlobs()).not.toContain(`${name}/2.0.0.tgz`);
      expect(await storage.metadata.referencedBlobs()).toContain(`${name}/1.0.0.tgz`);
    });

    it("sets and removes dist-tags, deprecation and owners, bumping the modified time", async () => {
      const name = unique("edit");
      await storage.metadata.insertVersion(version(name, "1.0.0"), ["latest"]);
      const before = (await storage.metadata.getPackage(name))?.modifiedAt ?? "";
      await Bun.sleep(2);
      await storage.metadata.setDistTag(name, "stable", "1.0.0");
      expect((await storage.metadata.getPackage(name))?.distTags).toEqual({
        latest: "1.0.0",
        stable: "1.0.0",
      });
      expect(((await storage.metadata.getPackage(name))?.modifiedAt ?? "") > before).toBe(true);
      await storage.metadata.removeDistTag(name, "stable");
      expect((await storage.metadata.getPackage(name))?.distTags).toEqual({ latest: "1.0.0" });
      await storage.metadata.setDeprecated(name, "1.0.0", "old");
      expect((await storage.metadata.getVersion(name, "1.0.0"))?.deprecated).toBe("old");
      await storage.metadata.setDeprecated(name, "1.0.0", null);
      expect((await storage.metadata.getVersion(name, "1.0.0"))?.deprecated).toBeNull();
      await storage.metadata.setOwners(name, ["owner", "friend"]);
      expect((await storage.metadata.getPackage(name))?.owners).toEqual(["owner", "friend"]);
      expect(await rejection(storage.metadata.setDistTag(unique("missing"), "x", "1.0.0"))).toBe(
        "BUNTIME_ERR_REGISTRY_PACKAGE_NOT_FOUND",
      );
    });

    it("gives every change a later modified time, even within one millisecond", async () => {
      const name = unique("quick");
      await storage.metadata.insertVersion(version(name, "1.0.0"), ["latest"]);
      const seen: string[] = [];
      for (let i = 0; i < 5; i++) {
        await storage.metadata.setDeprecated(name, "1.0.0", i % 2 ? `old ${i}` : null);
        seen.push((await storage.metadata.getPackage(name))?.modifiedAt ?? "");
      }
      expect([...seen].sort()).toEqual(seen);
      expect(new Set(seen).size).toBe(5);
    });

    it("gives a package a later modified time on every write to it, its versions or its tags", async () => {
      // The search and marketplace catalog and the packument cache reuse what they read while
      // modifiedAt is unchanged, so no write that changes what a package shows may keep it.
      const name = unique("marker");
      const writes: [string, () => Promise<void>][] = [
        [
          "publish of a new package",
          () => storage.metadata.insertVersion(version(name, "1.0.0"), ["latest"]),
        ],
        ["publish of a new version", () => storage.metadata.insertVersion(version(name, "1.1.0"), ["next"])],
        ["dist-tag add", () => storage.metadata.setDistTag(name, "stable", "1.0.0")],
        ["dist-tag move", () => storage.metadata.setDistTag(name, "latest", "1.1.0")],
        ["dist-tag remove", () => storage.metadata.removeDistTag(name, "stable")],
        ["deprecation", () => storage.metadata.setDeprecated(name, "1.0.0", "old")],
        ["undeprecation", () => storage.metadata.setDeprecated(name, "1.0.0", null)],
        ["owner change", () => storage.metadata.setOwners(name, ["owner", "friend"])],
        ["unpublish of a version", () => storage.metadata.unpublishVersion(name, "1.1.0")],
        ["unpublish of the last version", () => storage.metadata.unpublishVersion(name, "1.0.0")],
      ];
      let previous = "";
      for (const [label, write] of writes) {
        await write();
        const modifiedAt = (await storage.metadata.getPackage(name))?.modifiedAt ?? "";
        expect({ label, later: modifiedAt > previous }).toEqual({ label, later: true });
        previous = modifiedAt;
      }
      expect(await storage.metadata.listVersions(name)).toEqual([]);
      expect((await storage.metadata.listPackages()).some((p) => p.name === name)).toBe(true);
    });

    it("adds up downloads per version and per package", async () => {
      const name = unique("popular");
      await storage.metadata.addDownloads(name, "1.0.0", "2026-11-01", 2);
      await storage.metadata.addDownloads(name, "1.0.0", "2026-11-01", 3);
      await storage.metadata.addDownloads(name, "1.0.0", "2026-11-02", 1);
      await storage.metadata.addDownloads(name, "2.0.0", "2026-11-02", 4);
      expect(await storage.metadata.downloadsByVersion(name)).toEqual({ "1.0.0": 6, "2.0.0": 4 });
      expect((await storage.metadata.downloadTotals()).get(name)).toBe(10);
    });

    it("stores publisher keys per user", async () => {
      const user = unique("signer");
      const key = {
        keyid: unique("SHA256:key"),
        user,
        publicKey: "AAAA",
        createdAt: "2026-01-01T00:00:00.000Z",
      };
      await storage.metadata.addPublisherKey(key);
      expect(await storage.metadata.listPublisherKeys(user)).toEqual([key]);
      expect(await storage.metadata.listPublisherKeys(unique("nobody"))).toEqual([]);
    });

    it("stores, lists and deletes blobs", async () => {
      const key = `${unique("blob")}/1.0.0-x.tgz`;
      const bytes = new Uint8Array([1, 2, 3, 250]);
      await storage.blobs.put(key, bytes);
      const blob = await storage.blobs.get(key);
      expect(new Uint8Array(await (blob as Blob).arrayBuffer())).toEqual(bytes);
      const listed = (await storage.blobs.list()).find((b) => b.key === key);
      expect(Math.abs((listed?.modifiedAt ?? 0) - Date.now())).toBeLessThan(60_000);
      await storage.blobs.delete(key);
      expect(await storage.blobs.get(key)).toBeUndefined();
      expect((await storage.blobs.list()).some((b) => b.key === key)).toBe(false);
    });

    it("serves a whole publish and download through the registry app", async () => {
      const registry = await createRegistryServer({
        storage: { metadata: { ...storage.metadata, close: async () => {} }, blobs: storage.blobs },
      });
      const user = unique("e2e");
      const login = await registry.fetch(
        new Request(`http://registry.test/-/user/org.couchdb.user:${user}`, {
          method: "PUT",
          body: JSON.stringify({ name: user, password: "long-password" }),
          headers: { "content-type": "application/json" },
        }),
      );
      const { token } = (await login.json()) as { token: string };
      const name = unique("app");
      const tarball = packageTgz(name, "1.0.0");
      const published = await registry.fetch(
        new Request(`http://registry.test/${name}`, {
          method: "PUT",
          body: JSON.stringify(publishBody(name, "1.0.0", tarball)),
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        }),
      );
      expect(published.status).toBe(201);
      const download = await registry.fetch(new Request(`http://registry.test/${name}/-/${name}-1.0.0.tgz`));
      expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(tarball))).toBe(true);
      await registry.close();
    });
  });
}
