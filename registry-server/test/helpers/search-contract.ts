import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { RegistryStorage, VersionRecord } from "@buntime/registry-server";
import { queryWords } from "../../src/search/words.ts";

let clock = Date.parse("2026-01-01T00:00:00Z");

/** A version record with the fields the index reads. */
export function indexed(
  name: string,
  version: string,
  fields: { description?: string; keywords?: string[]; categories?: string[]; readme?: string } = {},
): VersionRecord {
  clock += 1000;
  const { readme = "", ...manifest } = fields;
  return {
    name,
    version,
    manifest: { name, version, ...manifest },
    integrity: `sha512-${name}-${version}`,
    shasum: "0".repeat(40),
    size: 1,
    unpackedSize: 1,
    fileCount: 1,
    blobKey: `${name}/${version}.tgz`,
    publishedAt: new Date(clock).toISOString(),
    publisher: "owner",
    deprecated: null,
    readme,
    registrySignature: { keyid: "k", sig: "s" },
    publisherSignature: null,
  };
}

/** The fixture set: "auth" in the name, a keyword, a description, a readme; one package without it. */
export async function seedSearchFixtures(storage: RegistryStorage): Promise<void> {
  const put = (record: VersionRecord) => storage.metadata.insertVersion(record, ["latest"]);
  await put(
    indexed("logger", "1.0.0", { description: "request logs", readme: "# logger\nAlso logs auth events." }),
  );
  await put(indexed("session-store", "1.0.0", { description: "keeps sessions, works with auth" }));
  await put(indexed("gatekeeper", "1.0.0", { keywords: ["auth", "acl"], categories: ["Security"] }));
  await put(indexed("auth", "1.0.0", { description: "sign-in for apps" }));
  await put(indexed("unrelated", "1.0.0", { description: "pads strings", readme: "nothing to see" }));
}

/** Names matching `text`, best first (ties by name). */
export async function ranked(storage: RegistryStorage, text: string): Promise<string[]> {
  const ranks = await storage.metadata.searchPackages(queryWords(text));
  return [...ranks].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);
}

/** Query strings that must neither fail nor reach the full-text syntax. */
export const HOSTILE_QUERIES = [
  '"',
  '"auth',
  "auth*",
  "*",
  "auth OR logger",
  "NEAR(auth logger)",
  "name:auth",
  "-auth",
  "^auth",
  "auth & !logger | (x)",
  "'); DROP TABLE packages; --",
  "\\",
  "\u0000auth",
  "x".repeat(10_000),
  "a ".repeat(5_000),
];

/**
 * The full-text search every metadata backend must give, over a fresh store from `open`:
 * relevance order, prefixes, several words, hostile input, and an index that follows writes.
 */
export function searchContract(label: string, open: () => Promise<RegistryStorage>): void {
  describe(`${label} full-text search`, () => {
    let storage: RegistryStorage;
    beforeAll(async () => {
      storage = await open();
      await seedSearchFixtures(storage);
    });
    afterAll(() => storage.metadata.close());

    it("ranks a name match over a keyword, a description and a readme match", async () => {
      expect(await ranked(storage, "auth")).toEqual(["auth", "gatekeeper", "session-store", "logger"]);
    });

    it("matches word prefixes, categories and several words (all of them)", async () => {
      expect(await ranked(storage, "gate")).toEqual(["gatekeeper"]);
      expect(await ranked(storage, "secur")).toEqual(["gatekeeper"]);
      expect(await ranked(storage, "sess sto")).toEqual(["session-store"]);
      expect(await ranked(storage, "auth events")).toEqual(["logger"]);
      expect(await ranked(storage, "AUTH Évents")).toEqual(["logger"]);
      expect(await ranked(storage, "auth nowhere")).toEqual([]);
    });

    it("treats hostile query strings as plain words, never as full-text syntax", async () => {
      for (const text of HOSTILE_QUERIES) await ranked(storage, text);
      expect(await ranked(storage, '"auth')).toEqual(await ranked(storage, "auth"));
      // OR and NEAR are words here, which no fixture holds: an operator would have matched
      expect(await ranked(storage, "auth OR logger")).toEqual([]);
      expect(await ranked(storage, "NEAR(auth logger)")).toEqual([]);
      expect(await ranked(storage, "auth* events")).toEqual(["logger"]);
      expect(await ranked(storage, "'); DROP TABLE packages; --")).toEqual([]);
      expect(await storage.metadata.getPackage("auth")).toBeDefined();
      expect(await ranked(storage, "*")).toEqual([]);
    });

    it("indexes nothing of a refused publish", async () => {
      const intruder = { ...indexed("auth", "9.0.0", { description: "intruder" }), publisher: "mallory" };
      await expect(storage.metadata.insertVersion(intruder, ["latest"])).rejects.toThrow();
      expect(await ranked(storage, "intruder")).toEqual([]);
      expect(await ranked(storage, "sign")).toEqual(["auth"]);
    });

    it("follows publish, dist-tags, deprecation and unpublish", async () => {
      const { metadata } = storage;
      await metadata.insertVersion(indexed("logger", "2.0.0", { description: "request logs" }), ["latest"]);
      expect(await ranked(storage, "events")).toEqual([]);
      await metadata.setDistTag("logger", "latest", "1.0.0");
      expect(await ranked(storage, "events")).toEqual(["logger"]);
      await metadata.setDeprecated("logger", "1.0.0", "use 2");
      expect(await ranked(storage, "events")).toEqual(["logger"]);
      await metadata.unpublishVersion("logger", "1.0.0");
      expect(await ranked(storage, "events")).toEqual([]);
      expect(await ranked(storage, "request")).toEqual(["logger"]);
      await metadata.unpublishVersion("logger", "2.0.0");
      expect(await ranked(storage, "request")).toEqual([]);
      expect(await ranked(storage, "logger")).toEqual([]);
    });
  });
}
