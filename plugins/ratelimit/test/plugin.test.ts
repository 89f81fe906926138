import { afterEach, describe, expect, it } from "bun:test";
import { createTestKernel, type TestKernel, type TestPlugin } from "@buntime/kernel/testing";
import ratelimit, { type RateLimitPolicy } from "@buntime/plugin-ratelimit";
import { type AuthService, definePlugin, type RequestUser } from "@buntime/sdk";
import ratelimitPackage from "../package.json" with { type: "json" };

const ratelimitPlugin: TestPlugin = { packageJson: ratelimitPackage, plugin: ratelimit };

/** Answers 200 under /api and /login, so that limits are what decides. */
const echo: TestPlugin = {
  packageJson: { name: "echo", version: "1.0.0", buntime: { kernel: "*", base: "/api" } },
  plugin: definePlugin({ setup: () => ({ fetch: () => new Response("ok") }) }),
};

/** The user named by the x-user header. */
function userOf(request: Request): RequestUser | undefined {
  const name = request.headers.get("x-user");
  return name ? { username: name, roles: [] } : undefined;
}

/**
 * Stands in for the auth plugin: its `onRequest` sets `locals.user` to the user named by the
 * x-user header, unless `places` is false (a caller it cannot place, its session store down).
 */
function fakeAuth(places = true): TestPlugin {
  const notUsed = async (): Promise<never> => {
    throw new Error("ratelimit reads locals.user, not the auth service");
  };
  return {
    packageJson: {
      name: "@buntime/plugin-auth",
      version: "0.1.0",
      buntime: { kernel: "*", provides: ["auth"] },
    },
    plugin: definePlugin({
      setup(ctx) {
        ctx.services.provide("auth", {
          currentUser: notUsed,
          requireUser: notUsed,
          requireRole: notUsed,
        } satisfies AuthService);
        return {
          onRequest(request, context) {
            const user = places ? userOf(request) : undefined;
            if (user) context.locals.user = user;
          },
        };
      },
    }),
  };
}

/**
 * Ratelimit loaded after auth, so that auth's `onRequest` has set `locals.user` when ratelimit's
 * runs (hooks run in load order).
 */
const ratelimitAfterAuth: TestPlugin = {
  packageJson: {
    ...ratelimitPackage,
    buntime: { ...ratelimitPackage.buntime, optionalDependencies: { "@buntime/plugin-auth": "^0.1.0" } },
  },
  plugin: ratelimit,
};

const kernels: TestKernel[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
});

/**
 * A listening kernel behind two proxies it trusts: this test on 127.0.0.1 and one in 10.0.0.0/8,
 * so a request's `x-forwarded-for` names the client, as nginx in front would.
 */
async function start(
  settings: Record<string, unknown> = {},
  extra: TestPlugin[] = [],
  limiter = ratelimitPlugin,
) {
  const kernel = await createTestKernel({
    plugins: [limiter, echo, ...extra],
    config: {
      trustProxy: { proxies: ["127.0.0.1", "10.0.0.0/8"] },
      plugins: { "@buntime/plugin-ratelimit": settings },
    },
    listen: true,
  });
  kernels.push(kernel);
  return kernel;
}

/** Sends a request over HTTP, so that the kernel has a connection to take the address from. */
const send = (kernel: TestKernel, path: string, init: RequestInit = {}) =>
  fetch(new URL(path, kernel.url), init);

/** Sends `count` requests one after another and returns their statuses. */
async function statuses(kernel: TestKernel, count: number, path: string, init: RequestInit = {}) {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await send(kernel, path, init)).status);
  return seen;
}

/** A client at `address`, forwarded by the proxy at 10.0.0.1 and then the one on 127.0.0.1. */
const ip = (address: string) => ({ headers: { "x-forwarded-for": `${address}, 10.0.0.1` } });

describe("ratelimit plugin", () => {
  it("starts with no settings, limits nothing and adds no headers", async () => {
    const kernel = await start();
    expect(await statuses(kernel, 50, "/api/x")).toEqual(Array(50).fill(200));
    const response = await send(kernel, "/api/x");
    expect(response.headers.get("ratelimit-limit")).toBeNull();
    expect(kernel.logs.some((line) => line.message === "0 rule(s), memory store")).toBe(true);
  });

  it("refuses past the limit with 429, Retry-After and RateLimit headers, per client address", async () => {
    const kernel = await start({
      rules: [{ name: "api", path: "/api/*", limit: 3, window: "1m" }],
    });
    const first = await send(kernel, "/api/a", ip("1.1.1.1"));
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit-limit")).toBe("3");
    expect(first.headers.get("ratelimit-remaining")).toBe("2");
    expect(first.headers.get("ratelimit-policy")).toBe("3;w=60");
    expect(Number(first.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
    expect(await statuses(kernel, 3, "/api/b", ip("1.1.1.1"))).toEqual([200, 200, 429]);
    const refused = await send(kernel, "/api/c", ip("1.1.1.1"));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(120);
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect(await refused.json()).toEqual({
      error: {
        code: "BUNTIME_ERR_RATELIMIT_EXCEEDED",
        message: `rate limit api exceeded; retry in ${retryAfter} s`,
      },
    });
    expect((await send(kernel, "/api/a", ip("2.2.2.2"))).status).toBe(200);
  });

  it("applies rules only to their paths and methods", async () => {
    const kernel = await start({
      rules: [{ path: "/api/login", methods: ["post"], limit: 1, window: 60_000 }],
    });
    expect(await statuses(kernel, 3, "/api/login", { method: "POST" })).toEqual([200, 429, 429]);
    expect(await statuses(kernel, 3, "/api/login")).toEqual([200, 200, 200]);
    expect(await statuses(kernel, 3, "/api/login/other", { method: "POST" })).toEqual([200, 200, 200]);
    const refused = await send(kernel, "/api/login", { method: "POST" });
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      "POST /api/login",
    );
  });

  it("refuses when any matching rule refuses, and reports the tightest one otherwise", async () => {
    const kernel = await start({
      rules: [
        { name: "wide", path: "/*", limit: 100, window: "1m" },
        { name: "narrow", path: "/api/search", limit: 2, window: "1m" },
      ],
    });
    const response = await send(kernel, "/api/search");
    expect(response.headers.get("ratelimit-limit")).toBe("2");
    expect((await send(kernel, "/api/other")).headers.get("ratelimit-limit")).toBe("100");
    expect(await statuses(kernel, 2, "/api/search")).toEqual([200, 429]);
  });

  it("counts keys auth did not verify by address: made-up keys earn no fresh counters", async () => {
    const kernel = await start({
      rules: [{ path: "/api/*", key: "apiKey", limit: 1, window: "1m" }],
    });
    const withKey = (key: string) => ({
      headers: { "x-api-key": key, authorization: `Bearer ${key}`, "x-forwarded-for": "9.9.9.9" },
    });
    expect(await statuses(kernel, 1, "/api/x", withKey("alpha"))).toEqual([200]);
    expect(await statuses(kernel, 1, "/api/x", withKey("beta"))).toEqual([429]);
    expect(await statuses(kernel, 1, "/api/x", ip("9.9.9.9"))).toEqual([429]);
    const warning = kernel.logs.find((line) => line.message.startsWith("no auth plugin runs before"));
    expect(warning?.message).toContain("user or apiKey");
  });

  it("keys by the user auth put in locals, and anonymous callers by address", async () => {
    const kernel = await start(
      { rules: [{ path: "/api/*", key: "user", limit: 2, window: "1m" }] },
      [fakeAuth()],
      ratelimitAfterAuth,
    );
    const as = (user: string) => ({ headers: { "x-user": user, "x-forwarded-for": "5.5.5.5" } });
    expect(await statuses(kernel, 3, "/api/x", as("ada"))).toEqual([200, 200, 429]);
    expect(await statuses(kernel, 2, "/api/x", as("bob"))).toEqual([200, 200]);
    expect(await statuses(kernel, 3, "/api/x", ip("5.5.5.5"))).toEqual([200, 200, 429]);
    expect(kernel.logs.some((line) => line.message.startsWith("no auth plugin runs before"))).toBe(false);
  });

  it("counts callers whom auth cannot place as anonymous, by address", async () => {
    const kernel = await start(
      { rules: [{ path: "/api/*", key: "user", limit: 1, window: "1m" }] },
      [fakeAuth(false)],
      ratelimitAfterAuth,
    );
    const as = (user: string, address: string) => ({
      headers: { "x-user": user, "x-forwarded-for": address },
    });
    expect(await statuses(kernel, 2, "/api/x", as("ada", "4.4.4.4"))).toEqual([200, 429]);
    expect(await statuses(kernel, 1, "/api/x", as("ada", "4.4.4.5"))).toEqual([200]);
  });

  it("counts every caller of a user rule by address, and says so at start, without auth before it", async () => {
    const kernel = await start({
      rules: [{ path: "/api/*", key: "user", limit: 2, window: "1m" }],
    });
    const warning = kernel.logs.find((line) => line.message.startsWith("no auth plugin runs before"));
    expect(warning?.level).toBe("warn");
    const as = (user: string) => ({ headers: { "x-user": user, "x-forwarded-for": "6.6.6.6" } });
    expect(await statuses(kernel, 1, "/api/x", as("ada"))).toEqual([200]);
    expect(await statuses(kernel, 2, "/api/x", as("bob"))).toEqual([200, 429]);
  });

  it("keys a route rule by the route alone, whoever calls", async () => {
    const kernel = await start({
      rules: [{ path: "/api/export", key: "route", algorithm: "token-bucket", limit: 2, window: "1h" }],
    });
    expect((await send(kernel, "/api/export", ip("1.1.1.1"))).status).toBe(200);
    expect((await send(kernel, "/api/export", ip("2.2.2.2"))).status).toBe(200);
    expect((await send(kernel, "/api/export", ip("3.3.3.3"))).status).toBe(429);
  });

  it("refuses a rule with a bad path or limit, naming the field", async () => {
    for (const [rule, field] of [
      [{ path: "api", limit: 1, window: "1m" }, "rules[0].path"],
      [{ path: "/a*b", limit: 1, window: "1m" }, "rules[0].path"],
      [{ path: "/a", limit: 0, window: "1m" }, "rules[0].limit"],
      [{ path: "/a", limit: 1, window: "soon" }, "rules[0].window"],
    ] as const) {
      const error = await createTestKernel({
        plugins: [ratelimitPlugin],
        config: { plugins: { "@buntime/plugin-ratelimit": { rules: [rule] } } },
      }).then(
        (kernel) => kernel.stop().then(() => undefined),
        (e: Error) => e,
      );
      expect(error?.message).toContain(field);
    }
  });
});

describe("ratelimit service", () => {
  const login: RateLimitPolicy = { name: "login", limit: 3, window: "15m" };

  /** A plugin that limits sign-in attempts per user name through the service, as auth does. */
  const signIn: TestPlugin = {
    packageJson: {
      name: "sign-in",
      version: "1.0.0",
      buntime: { kernel: "*", base: "/signin", consumes: ["ratelimit"] },
    },
    plugin: definePlugin({
      setup: (ctx) => ({
        async fetch(request) {
          const limiter = ctx.services.get("ratelimit");
          const { user, password } = (await request.json()) as { user: string; password: string };
          const decision = await limiter.consume(`user:${user}`, login);
          if (!decision.allowed) return limiter.exceeded(decision);
          if (password !== "right")
            return new Response("wrong", { status: 401, headers: limiter.headers(decision) });
          await limiter.reset(`user:${user}`, login);
          return new Response("welcome");
        },
      }),
    }),
  };

  it("limits sign-in attempts for another plugin and forgets them after a success", async () => {
    const kernel = await start({}, [signIn]);
    const attempt = (password: string) =>
      kernel.fetch("/signin", { method: "POST", body: JSON.stringify({ user: "ada", password }) });
    const wrong = await attempt("nope");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("ratelimit-remaining")).toBe("2");
    expect((await attempt("right")).status).toBe(200);
    expect([(await attempt("x")).status, (await attempt("x")).status, (await attempt("x")).status]).toEqual([
      401, 401, 401,
    ]);
    const locked = await attempt("right");
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await locked.json()) as { error: { code: string } }).error.code).toBe(
      "BUNTIME_ERR_RATELIMIT_EXCEEDED",
    );
  });

  it("accepts an unnamed policy with windowMs, as the auth plugin sends it", async () => {
    const kernel = await start();
    const limiter = kernel.service("ratelimit");
    const policy = { limit: 2, windowMs: 60_000 };
    const decisions = [];
    for (let i = 0; i < 3; i++) decisions.push(await limiter.consume("auth:login:ada", policy));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(decisions[2]?.policy).toBe("sliding-window:2/60000");
    expect(decisions[2]?.retryAfterMs).toBeGreaterThan(0);
  });

  it("refuses a bad policy or cost with coded errors", async () => {
    const kernel = await start();
    const limiter = kernel.service("ratelimit");
    const badPolicy = await limiter.consume("k", { name: "", limit: 1, window: "1m" }).catch((e) => e);
    expect(badPolicy.code).toBe("BUNTIME_ERR_CONFIG_INVALID");
    expect(badPolicy.message).toContain("name");
    const twoWindows = await limiter.consume("k", { limit: 1, window: "1m", windowMs: 5 }).catch((e) => e);
    expect(twoWindows.message).toContain("give window or windowMs, not both");
    const badCost = await limiter.consume("k", login, 4).catch((e) => e);
    expect(badCost.code).toBe("BUNTIME_ERR_BAD_REQUEST");
    expect(badCost.message).toContain("from 1 to 3");
  });
});
