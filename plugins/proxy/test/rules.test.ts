import { afterEach, describe, expect, it } from "bun:test";
import { ADMIN, cleanUp, errorOf, fakeAuth, startProxy, startUpstream } from "./support.ts";

afterEach(cleanUp);

describe("proxy rules", () => {
  it("start empty and touch nothing", async () => {
    const kernel = await startProxy();
    const response = await kernel.fetch("/echo/anything");
    expect(await response.text()).toBe("echo /echo/anything");
    expect(kernel.logs.some((entry) => entry.message === "0 rule(s)")).toBe(true);
  });

  it("forward a matching request with path, query, method, body and forwarding headers", async () => {
    const upstream = startUpstream();
    const kernel = await startProxy({ rules: [{ id: "api", path: "/api/*", upstream }] });
    const response = await kernel.fetch("/api/users/7?sort=asc", {
      method: "POST",
      headers: { "content-type": "text/plain", connection: "keep-alive, x-hop", "x-hop": "1" },
      body: "hello upstream",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-upstream")).toBe("yes");
    const seen = (await response.json()) as {
      method: string;
      path: string;
      body: string;
      headers: Record<string, string>;
    };
    expect(seen.method).toBe("POST");
    expect(seen.path).toBe("/api/users/7?sort=asc");
    expect(seen.body).toBe("hello upstream");
    expect(seen.headers.host).toBe(new URL(upstream).host);
    expect(seen.headers["x-forwarded-host"]).toBe("localhost");
    expect(seen.headers["x-forwarded-proto"]).toBe("http");
    expect(seen.headers["x-hop"]).toBeUndefined();
    // outside the pattern, the request goes on through the kernel
    expect(await (await kernel.fetch("/echo/x")).text()).toBe("echo /echo/x");
    expect((await kernel.fetch("/apiary")).status).toBe(404);
  });

  it("strip the prefix, rewrite the path and change headers both ways", async () => {
    const upstream = startUpstream();
    const kernel = await startProxy({
      rules: [
        {
          id: "legacy",
          path: "/legacy/*",
          upstream: `${upstream}/base`,
          stripPrefix: true,
          rewrite: { from: "^/v1/", to: "/v2/" },
          requestHeaders: { set: { "x-api-key": "secret" }, remove: ["cookie"] },
          responseHeaders: { set: { "cache-control": "no-store" }, remove: ["server"] },
        },
      ],
    });
    const response = await kernel.fetch("/legacy/v1/items?x=1", { headers: { cookie: "a=b" } });
    const seen = (await response.json()) as { path: string; headers: Record<string, string> };
    expect(seen.path).toBe("/base/v2/items?x=1");
    expect(seen.headers["x-api-key"]).toBe("secret");
    expect(seen.headers.cookie).toBeUndefined();
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("server")).toBeNull();
  });

  it("prefer an exact path over a prefix, and a longer prefix over a shorter one", async () => {
    const a = startUpstream(() => new Response("a"));
    const b = startUpstream(() => new Response("b"));
    const c = startUpstream(() => new Response("c"));
    const kernel = await startProxy({
      rules: [
        { id: "short", path: "/svc/*", upstream: a },
        { id: "long", path: "/svc/deep/*", upstream: b },
        { id: "exact", path: "/svc/deep/health", upstream: c },
      ],
    });
    expect(await (await kernel.fetch("/svc/x")).text()).toBe("a");
    expect(await (await kernel.fetch("/svc/deep/x")).text()).toBe("b");
    expect(await (await kernel.fetch("/svc/deep/health")).text()).toBe("c");
  });

  it("name the signed-in user to the upstream and drop user headers the client sent", async () => {
    const upstream = startUpstream();
    const kernel = await startProxy({
      plugins: [fakeAuth],
      rules: [{ id: "who", path: "/who/*", upstream }],
    });
    const spoofed = { "x-buntime-user": "mallory", "x-buntime-roles": "admin" };
    const headersSeen = async (headers: Record<string, string>) =>
      ((await (await kernel.fetch("/who/x", { headers })).json()) as { headers: Record<string, string> })
        .headers;
    const anonymous = await headersSeen(spoofed);
    expect(anonymous["x-buntime-user"]).toBeUndefined();
    expect(anonymous["x-buntime-roles"]).toBeUndefined();
    const signedIn = await headersSeen({ ...spoofed, authorization: ADMIN });
    expect(signedIn["x-buntime-user"]).toBe("root");
    expect(signedIn["x-buntime-roles"]).toBe("admin");
  });

  it("keep the client's Host header when asked to", async () => {
    const upstream = startUpstream();
    const kernel = await startProxy({
      rules: [
        { id: "kept", path: "/kept/*", upstream, preserveHost: true },
        { id: "set", path: "/set/*", upstream },
      ],
    });
    const host = { host: "app.example.test" };
    const kept = (await (await kernel.fetch("/kept/x", { headers: host })).json()) as {
      headers: Record<string, string>;
    };
    expect(kept.headers.host).toBe("app.example.test");
    const set = (await (await kernel.fetch("/set/x", { headers: host })).json()) as {
      headers: Record<string, string>;
    };
    expect(set.headers.host).toBe(new URL(upstream).host);
    expect(set.headers["x-forwarded-host"]).toBe("app.example.test");
  });

  it("take only the listed methods", async () => {
    const upstream = startUpstream(() => new Response("proxied"));
    const kernel = await startProxy({
      rules: [{ id: "reads", path: "/echo/*", upstream, methods: ["get"] }],
    });
    expect(await (await kernel.fetch("/echo/x")).text()).toBe("proxied");
    expect(await (await kernel.fetch("/echo/x", { method: "DELETE" })).text()).toBe("echo /echo/x");
  });

  it("pass the upstream's redirects and encodings through untouched", async () => {
    const upstream = startUpstream((request) =>
      new URL(request.url).pathname === "/moved"
        ? new Response(null, { status: 301, headers: { location: "/elsewhere" } })
        : new Response(Bun.gzipSync("compressed text"), { headers: { "content-encoding": "gzip" } }),
    );
    const kernel = await startProxy({ rules: [{ id: "all", path: "/up/*", upstream, stripPrefix: true }] });
    const moved = await kernel.fetch("/up/moved");
    expect(moved.status).toBe(301);
    expect(moved.headers.get("location")).toBe("/elsewhere");
    const zipped = await kernel.fetch("/up/zip");
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await zipped.arrayBuffer())))).toBe(
      "compressed text",
    );
  });

  it("answer 502 with a clear body when the upstream is down", async () => {
    const kernel = await startProxy({
      rules: [{ id: "gone", path: "/gone/*", upstream: "http://127.0.0.1:9" }],
    });
    const response = await kernel.fetch("/gone/x");
    expect(response.status).toBe(502);
    const error = await errorOf(response);
    expect(error.code).toBe("BUNTIME_ERR_PROXY_UPSTREAM_UNREACHABLE");
    expect(error.message).toStartWith("proxy rule gone: upstream http://127.0.0.1:9 is unreachable (");
  });

  it("answer 504 when the upstream does not start answering within the rule's timeout", async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const upstream = startUpstream(async () => {
      await held;
      return new Response("late");
    });
    const kernel = await startProxy({ rules: [{ id: "slow", path: "/slow/*", upstream, timeout: "150ms" }] });
    const started = performance.now();
    const response = await kernel.fetch("/slow/x");
    release();
    expect(response.status).toBe(504);
    expect(await errorOf(response)).toEqual({
      code: "BUNTIME_ERR_PROXY_UPSTREAM_TIMEOUT",
      message: `proxy rule slow: upstream ${upstream} did not answer within 150 ms`,
    });
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it("refuse invalid rules in the settings with a message naming the field", async () => {
    await expect(startProxy({ rules: [{ id: "bad", path: "api", upstream: "ftp://x" }] })).rejects.toThrow(
      /rules\[0\]\.path|rules\.0\.path/,
    );
  });
});
