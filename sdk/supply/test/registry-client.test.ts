import { afterAll, describe, expect, it } from "bun:test";
import { createRegistryClient, integrityOf, type Packument, resolveVersion } from "@buntime/supply";

const tarball = new TextEncoder().encode("tarball bytes");
const version = (v: string, kernel: string) => ({
  name: "hello",
  version: v,
  buntime: { kernel },
  dist: { tarball: `/hello/-/hello-${v}.tgz`, integrity: integrityOf(tarball) },
});
const packument: Packument = {
  name: "hello",
  "dist-tags": { latest: "1.1.0", next: "2.0.0" },
  versions: {
    "1.0.0": version("1.0.0", "^0.1.0"),
    "1.1.0": version("1.1.0", "^0.1.0"),
    "1.2.0": version("1.2.0", "^0.2.0"),
    "2.0.0": version("2.0.0", "^0.2.0"),
  },
};

const seen: { path: string; ifNoneMatch: string | null; auth: string | null; body?: unknown }[] = [];
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const url = new URL(request.url);
    seen.push({
      path: url.pathname,
      ifNoneMatch: request.headers.get("if-none-match"),
      auth: request.headers.get("authorization"),
      body: request.method === "PUT" ? await request.json() : undefined,
    });
    if (url.pathname === "/hello") {
      if (request.headers.get("if-none-match") === '"v1"') return new Response(null, { status: 304 });
      return Response.json(packument, { headers: { etag: '"v1"' } });
    }
    if (url.pathname.startsWith("/hello/-/")) return new Response(tarball);
    if (url.pathname === "/bad/-/bad.tgz") return new Response("other bytes");
    if (url.pathname === "/huge/-/huge.tgz") return new Response(new Uint8Array(64 * 1024));
    if (url.pathname === "/-/whoami") return Response.json({ username: "ada" });
    if (url.pathname === "/denied") {
      return Response.json(
        { error: { code: "BUNTIME_ERR_REGISTRY_NOT_OWNER", message: "ada is not an owner of denied" } },
        { status: 403 },
      );
    }
    return Response.json(
      { error: { code: "BUNTIME_ERR_REGISTRY_PACKAGE_NOT_FOUND", message: "no" } },
      { status: 404 },
    );
  },
});
afterAll(() => server.stop(true));
const registry = `http://127.0.0.1:${server.port}/`;

describe("registry client", () => {
  it("revalidates a cached packument with its ETag and reuses it on 304", async () => {
    const client = createRegistryClient({ registry });
    seen.length = 0;
    const first = await client.packument("hello");
    const second = await client.packument("hello");
    expect(second).toEqual(first as Packument);
    expect(seen.map((s) => s.ifNoneMatch)).toEqual([null, '"v1"']);
  });

  it("answers undefined for a package the registry does not have", async () => {
    expect(await createRegistryClient({ registry }).packument("nothing")).toBeUndefined();
  });

  it("downloads a tarball, reports progress and checks its integrity", async () => {
    const client = createRegistryClient({ registry });
    const progress: number[] = [];
    const bytes = await client.tarball("/hello/-/hello-1.0.0.tgz", integrityOf(tarball), "hello", (n) =>
      progress.push(n),
    );
    expect(new TextDecoder().decode(bytes)).toBe("tarball bytes");
    expect(progress.at(-1)).toBe(tarball.length);
    await expect(client.tarball("/bad/-/bad.tgz", integrityOf(tarball), "bad@1.0.0")).rejects.toThrow(
      "bad@1.0.0: downloaded tarball is sha512-",
    );
  });

  it("cuts off a download past the size limit", async () => {
    const client = createRegistryClient({ registry, maxTarballBytes: 1024 });
    await expect(client.tarball("/huge/-/huge.tgz", integrityOf(tarball), "huge@1.0.0")).rejects.toThrow(
      "huge@1.0.0: not a valid tarball: the download passed 1024 bytes",
    );
  });

  it("carries the registry's code and message in its errors", async () => {
    const client = createRegistryClient({ registry, token: "t0k" });
    await expect(client.packument("denied")).rejects.toThrow(
      `registry ${registry} answered 403 to GET denied: ada is not an owner of denied [BUNTIME_ERR_REGISTRY_NOT_OWNER]`,
    );
    expect(seen.at(-1)?.auth).toBe("Bearer t0k");
  });

  it("says the registry is unreachable when nothing listens", async () => {
    const client = createRegistryClient({ registry: "http://127.0.0.1:9/" });
    await expect(client.packument("hello")).rejects.toThrow("registry http://127.0.0.1:9/ is unreachable");
  });

  it("asks for a token before whoami", async () => {
    await expect(createRegistryClient({ registry }).whoami()).rejects.toThrow(`not logged in to ${registry}`);
    expect(await createRegistryClient({ registry, token: "t" }).whoami()).toBe("ada");
  });
});

describe("resolveVersion", () => {
  it.each([
    ["^1.0.0", "0.1.0", "1.1.0"],
    ["1.0.x", "0.1.0", "1.0.0"],
    ["latest", "0.1.0", "1.1.0"],
    ["*", "0.2.0", "2.0.0"],
    ["next", "0.2.0", "2.0.0"],
  ])("resolves %s for kernel %s to %s", (range, kernel, expected) => {
    expect(resolveVersion(packument, range, kernel).version).toBe(expected);
  });

  it("lists the available versions when none satisfies the range", () => {
    expect(() => resolveVersion(packument, "^3", "0.1.0")).toThrow(
      "no version of hello satisfies ^3 (available: 2.0.0, 1.2.0, 1.1.0, 1.0.0)",
    );
  });

  it("says which kernel the matching versions need", () => {
    expect(() => resolveVersion(packument, "^2", "0.1.0")).toThrow(
      "no version of hello matching ^2 supports kernel 0.1.0 (2.0.0 needs kernel ^0.2.0)",
    );
  });
});
