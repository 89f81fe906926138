/**
 * The registry client against a flaky registry: reads (GET) time out and are tried again with
 * backoff, a bounded number of times; a publish is sent once whatever happens; every failure
 * names the URL.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { createRegistryClient, integrityOf, type PackedPlugin } from "@buntime/supply";

const packument = { name: "flaky", "dist-tags": { latest: "1.0.0" }, versions: {} };
const tarball = new Uint8Array(32).fill(7);
const hits: Record<string, number> = {};
/** How many of the next requests to each path fail before one succeeds. */
const failures: Record<string, number> = {};

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  idleTimeout: 30,
  async fetch(request) {
    const path = new URL(request.url).pathname;
    const key = `${request.method} ${path}`;
    hits[key] = (hits[key] ?? 0) + 1;
    if (path === "/hangs") return new Promise<Response>(() => {});
    if (path === "/stalls.tgz") {
      // sends a first chunk, then nothing
      return new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(tarball.slice(0, 8));
          },
        }),
      );
    }
    if ((failures[key] ?? 0) > 0) {
      failures[key] = (failures[key] ?? 0) - 1;
      return new Response("busy", { status: 503 });
    }
    if (path === "/always-503" || (request.method === "PUT" && path === "/flaky"))
      return new Response("busy", { status: 503 });
    if (path === "/rate-limited")
      return new Response("slow down", { status: 429, headers: { "retry-after": "0" } });
    if (path === "/flaky") return Response.json(packument);
    if (path === "/missing") return new Response("nope", { status: 404 });
    if (path === "/put-hangs") return new Promise<Response>(() => {});
    return new Response("unknown", { status: 404 });
  },
});
afterAll(() => server.stop(true));
const registry = `http://127.0.0.1:${server.port}/`;
const fast = { registry, timeoutMs: 300, retries: 2, retryDelayMs: 10 };

function packed(name: string): PackedPlugin {
  return {
    name,
    version: "1.0.0",
    filename: `${name}-1.0.0.tgz`,
    tarball,
    integrity: integrityOf(tarball),
    shasum: "0",
    files: ["package.json"],
    unpackedSize: 32,
    warnings: [],
    packageJson: { name, version: "1.0.0" },
  } as unknown as PackedPlugin;
}

describe("registry client timeouts and retries", () => {
  it("tries a GET again after 503s, with backoff, and answers once the registry recovers", async () => {
    failures["GET /flaky"] = 2;
    hits["GET /flaky"] = 0;
    const started = performance.now();
    const got = await createRegistryClient(fast).packument("flaky");
    expect(got?.name).toBe("flaky");
    expect(hits["GET /flaky"]).toBe(3);
    // two waits of at least half of 10 ms and 20 ms
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
  });

  it("gives up after the bounded number of tries and reports the registry's last answer", async () => {
    hits["GET /always-503"] = 0;
    const error = await createRegistryClient(fast)
      .tarball("/always-503", integrityOf(tarball), "x@1.0.0")
      .catch((e) => e);
    expect(error.code).toBe("BUNTIME_ERR_CLIENT_HTTP");
    expect(error.message).toContain("answered 503 to download x@1.0.0");
    expect(hits["GET /always-503"]).toBe(3);
  });

  it("tries again after a 429, honouring Retry-After", async () => {
    hits["GET /rate-limited"] = 0;
    const error = await createRegistryClient(fast)
      .tarball("/rate-limited", integrityOf(tarball), "r@1.0.0")
      .catch((e) => e);
    expect(error.params.status).toBe(429);
    expect(hits["GET /rate-limited"]).toBe(3);
  });

  it("does not try a 404 again", async () => {
    hits["GET /missing"] = 0;
    expect(await createRegistryClient(fast).packument("missing")).toBeUndefined();
    expect(hits["GET /missing"]).toBe(1);
  });

  it("times out a registry that never answers, naming the method, the URL and the tries", async () => {
    hits["GET /hangs"] = 0;
    const started = performance.now();
    const error = await createRegistryClient(fast)
      .tarball("/hangs", integrityOf(tarball), "h@1.0.0")
      .catch((e) => e);
    expect(error.code).toBe("BUNTIME_ERR_CLIENT_UNREACHABLE");
    expect(error.message).toContain(`GET ${registry}hangs: no answer within 300 ms (tried 3 times)`);
    expect(hits["GET /hangs"]).toBe(3);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("ends a download that stalls instead of hanging", async () => {
    const error = await createRegistryClient(fast)
      .tarball("/stalls.tgz", integrityOf(tarball), "s@1.0.0")
      .catch((e) => e);
    expect(error.code).toBe("BUNTIME_ERR_CLIENT_UNREACHABLE");
    expect(error.message).toContain(`GET ${registry}stalls.tgz: the download stalled (nothing for 300 ms)`);
  });

  it("names the URL when nothing listens, after the bounded tries", async () => {
    const closed = createRegistryClient({ ...fast, registry: "http://127.0.0.1:9/" });
    const error = await closed.packument("anything").catch((e) => e);
    expect(error.code).toBe("BUNTIME_ERR_CLIENT_UNREACHABLE");
    expect(error.message).toContain("GET http://127.0.0.1:9/anything");
    expect(error.message).toContain("(tried 3 times)");
  });

  it("sends a publish once, even when the registry answers 503", async () => {
    hits["PUT /flaky"] = 0;
    const error = await createRegistryClient({ ...fast, token: "t" })
      .publish(packed("flaky"))
      .catch((e) => e);
    expect(error.code).toBe("BUNTIME_ERR_CLIENT_HTTP");
    expect(hits["PUT /flaky"]).toBe(1);
  });

  it("sends a publish once when no answer comes, and says the registry may have acted on it", async () => {
    hits["PUT /put-hangs"] = 0;
    const error = await createRegistryClient({ ...fast, token: "t" })
      .publish(packed("put-hangs"))
      .catch((e) => e);
    expect(error.code).toBe("BUNTIME_ERR_CLIENT_UNREACHABLE");
    expect(error.message).toContain(`PUT ${registry}put-hangs: no answer within 300 ms`);
    expect(error.message).toContain("not sent again: the registry may have acted on it");
    expect(hits["PUT /put-hangs"]).toBe(1);
  });
});
