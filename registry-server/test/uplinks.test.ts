import { afterAll, describe, expect, it } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { npmUser } from "./helpers/npm.ts";
import { call, signUp, startTestRegistry, tempDir } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

const upstream = await startTestRegistry();
const upToken = await signUp(upstream.base, "upstream-owner");
const publishUp = async (name: string, version: string, extra: Record<string, unknown> = {}) => {
  const body = publishBody(name, version, packageTgz(name, version, extra));
  const res = await call(upstream.base, "PUT", `/${name}`, { token: upToken, body });
  expect(res.status).toBe(201);
};
await publishUp("only-upstream", "1.0.0", { description: "from the upstream" });
await publishUp("@far/lib", "2.0.0");
await publishUp("@near/other", "1.0.0");
await publishUp("shared-name", "9.9.9", { description: "the upstream's look-alike" });

const cacheDir = join(tempDir(), "uplink-cache");
const downstream = await startTestRegistry({ uplinks: [{ url: upstream.url }], uplinkCacheDir: cacheDir });
const localToken = await signUp(downstream.base, "local-owner");
for (const name of ["@near/mine", "shared-name"]) {
  const body = publishBody(name, "1.0.0", packageTgz(name, "1.0.0", { description: "published here" }));
  expect((await call(downstream.base, "PUT", `/${name}`, { token: localToken, body })).status).toBe(201);
}

describe("uplinks", () => {
  it("serves an upstream packument with tarball links rewritten to this registry", async () => {
    const res = await call(downstream.base, "GET", "/only-upstream");
    expect(res.status).toBe(200);
    expect(res.body["dist-tags"]).toEqual({ latest: "1.0.0" });
    const dist = res.body.versions["1.0.0"].dist;
    expect(dist.tarball).toBe(`${downstream.base}/only-upstream/-/only-upstream-1.0.0.tgz`);
    expect(dist.integrity).toMatch(/^sha512-/);
    const abbreviated = await fetch(`${downstream.base}/@far%2flib`, {
      headers: { accept: "application/vnd.npm.install-v1+json" },
    });
    expect(abbreviated.headers.get("content-type")).toBe("application/vnd.npm.install-v1+json");
    const doc = (await abbreviated.json()) as { versions: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.versions)).toEqual(["2.0.0"]);
    expect(doc.versions["2.0.0"]?.readme).toBeUndefined();
    const version = await call(downstream.base, "GET", "/@far/lib/latest");
    expect(version.body.version).toBe("2.0.0");
  });

  it("never falls through for a local name or a scope that has a local package", async () => {
    const shared = await call(downstream.base, "GET", "/shared-name");
    expect(Object.keys(shared.body.versions)).toEqual(["1.0.0"]);
    expect(shared.body.description).toBe("published here");
    const sibling = await call(downstream.base, "GET", "/@near/other");
    expect(sibling.status).toBe(404);
    expect(sibling.body.error.code).toBe("BUNTIME_ERR_REGISTRY_PACKAGE_NOT_FOUND");
    const tarball = await fetch(`${downstream.base}/@near/other/-/other-1.0.0.tgz`);
    expect(tarball.status).toBe(404);
    const reserved = await call(downstream.base, "GET", "/@buntime/anything");
    expect(reserved.status).toBe(404);
    // unpublishing every local version keeps the name local
    expect((await call(downstream.base, "DELETE", "/shared-name/-rev/1", { token: localToken })).status).toBe(
      200,
    );
    expect((await call(downstream.base, "GET", "/shared-name")).status).toBe(404);
  });

  it("installs a package only the upstream has with npm, and again from the cache once the upstream stopped", async () => {
    const user = npmUser(join(downstream.dir, "npm-a"), downstream.url);
    const app = join(downstream.dir, "app-a");
    writeFileSync(join(user.home, "package.json"), "{}");
    const installed = await user.npm(["install", "only-upstream", "@far/lib", "--prefix", app]);
    expect(installed.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(app, "node_modules/only-upstream/package.json"), "utf8"));
    expect(manifest.description).toBe("from the upstream");
    const lock = JSON.parse(readFileSync(join(app, "package-lock.json"), "utf8"));
    expect(lock.packages["node_modules/@far/lib"].resolved).toStartWith(downstream.url);
    expect(readdirSync(join(cacheDir, "tarballs")).sort()).toEqual(["%40far%2Flib", "only-upstream"].sort());

    await upstream.stop();
    expect(await fetch(`${upstream.base}/only-upstream`).catch(() => "down")).toBe("down");
    const fresh = npmUser(join(downstream.dir, "npm-b"), downstream.url);
    const again = await fresh.npm([
      "install",
      "only-upstream@1.0.0",
      "@far/lib",
      "--prefix",
      join(downstream.dir, "app-b"),
    ]);
    expect(again.code).toBe(0);
    expect(existsSync(join(downstream.dir, "app-b/node_modules/@far/lib/package.json"))).toBe(true);
    // past its max age, with the upstream down, the cached packument is still served
    const stale = await startTestRegistry({
      uplinks: [{ url: upstream.url, maxAgeSeconds: 0 }],
      uplinkCacheDir: cacheDir,
    });
    const packument = await call(stale.base, "GET", "/only-upstream");
    expect(packument.status).toBe(200);
    expect(packument.body.versions["1.0.0"].dist.tarball).toStartWith(stale.base);
  }, 90_000);
});

describe("uplink integrity", () => {
  const good = packageTgz("tampered", "1.0.0");
  const served = packageTgz("tampered", "1.0.0", { description: "swapped on the way" });
  const sha512 = (bytes: Uint8Array) => `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
  let hits = 0;
  const fake = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request): Response {
      hits += 1;
      const path = new URL(request.url).pathname;
      if (path === "/tampered") {
        const tarball: string = `http://127.0.0.1:${fake.port}/tampered/-/tampered-1.0.0.tgz`;
        return Response.json({
          name: "tampered",
          "dist-tags": { latest: "1.0.0" },
          versions: {
            "1.0.0": { name: "tampered", version: "1.0.0", dist: { integrity: sha512(good), tarball } },
          },
        });
      }
      if (path === "/tampered/-/tampered-1.0.0.tgz") return new Response(served as Uint8Array<ArrayBuffer>);
      if (path === "/broken") return new Response("not json");
      if (path === "/down") return new Response("boom", { status: 503 });
      return new Response("{}", { status: 404 });
    },
  });
  afterAll(() => fake.stop(true));

  it("refuses a tarball that does not match the upstream's integrity and caches nothing", async () => {
    const dir = join(tempDir(), "cache");
    const registry = await startTestRegistry({
      uplinks: [{ url: `http://127.0.0.1:${fake.port}/` }],
      uplinkCacheDir: dir,
    });
    const res = await call(registry.base, "GET", "/tampered/-/tampered-1.0.0.tgz");
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe("BUNTIME_ERR_REGISTRY_UPLINK_INTEGRITY");
    expect(res.body.error.message).toBe(
      `tampered@1.0.0: the tarball from the uplink http://127.0.0.1:${fake.port} does not match its integrity ${sha512(good)} (got ${sha512(served)}); nothing was cached`,
    );
    expect(existsSync(join(dir, "tarballs"))).toBe(false);
  });

  it("names the uplink when it fails or answers garbage, and 404s what no uplink has", async () => {
    const registry = await startTestRegistry({
      uplinks: [{ url: `http://127.0.0.1:${fake.port}` }],
      uplinkCacheDir: join(tempDir(), "cache"),
    });
    const down = await call(registry.base, "GET", "/down");
    expect(down.status).toBe(502);
    expect(down.body.error.message).toBe(
      `down: the uplink http://127.0.0.1:${fake.port} failed: HTTP 503 for http://127.0.0.1:${fake.port}/down`,
    );
    const broken = await call(registry.base, "GET", "/broken");
    expect(broken.body.error.message).toContain("the answer is not the packument of broken");
    expect((await call(registry.base, "GET", "/nowhere")).status).toBe(404);
  });

  it("serves a cached packument until its max age, then asks the upstream again", async () => {
    const before = hits;
    const dir = join(tempDir(), "cache");
    const cached = await startTestRegistry({
      uplinks: [{ url: `http://127.0.0.1:${fake.port}` }],
      uplinkCacheDir: dir,
    });
    await call(cached.base, "GET", "/tampered");
    await call(cached.base, "GET", "/tampered");
    expect(hits - before).toBe(1);
    const eager = await startTestRegistry({
      uplinks: [{ url: `http://127.0.0.1:${fake.port}`, maxAgeSeconds: 0 }],
      uplinkCacheDir: dir,
    });
    await call(eager.base, "GET", "/tampered");
    expect(hits - before).toBe(2);
    // concurrent requests for one name share one upstream fetch
    await Promise.all(Array.from({ length: 5 }, () => call(eager.base, "GET", "/tampered")));
    expect(hits - before).toBe(3);
  });
});

describe("uplink tokens", () => {
  it("sends the uplink's token to its own origin only, never to a tarball host elsewhere", async () => {
    const tgz = packageTgz("cdn-hosted", "1.0.0");
    const seen: Record<string, (string | null)[]> = { registry: [], cdn: [] };
    const cdn = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(request): Response {
        seen.cdn?.push(request.headers.get("authorization"));
        return new Response(tgz as Uint8Array<ArrayBuffer>);
      },
    });
    const registry = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(request): Response {
        seen.registry?.push(request.headers.get("authorization"));
        const integrity = `sha512-${createHash("sha512").update(tgz).digest("base64")}`;
        const tarball = `http://127.0.0.1:${cdn.port}/cdn-hosted-1.0.0.tgz`;
        const version = { name: "cdn-hosted", version: "1.0.0", dist: { integrity, tarball } };
        return Response.json({
          name: "cdn-hosted",
          "dist-tags": { latest: "1.0.0" },
          versions: { "1.0.0": version },
        });
      },
    });
    afterAll(() => Promise.all([cdn.stop(true), registry.stop(true)]));
    const proxy = await startTestRegistry({
      uplinks: [{ url: `http://127.0.0.1:${registry.port}`, token: "upstream-secret" }],
      uplinkCacheDir: join(tempDir(), "cache"),
    });
    const res = await fetch(`${proxy.base}/cdn-hosted/-/cdn-hosted-1.0.0.tgz`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(tgz))).toBe(true);
    expect(seen).toEqual({ registry: ["Bearer upstream-secret"], cdn: [null] });
  });
});
