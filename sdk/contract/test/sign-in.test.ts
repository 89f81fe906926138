import { describe, expect, it } from "bun:test";
import {
  authBase,
  authRequired,
  DEFAULT_SIGN_IN_PATH,
  type KernelPlugins,
  type PluginStatus,
  type SignInServices,
  sameSitePath,
  signInPath,
  signInUrl,
} from "@buntime/sdk";

/** `ctx.services` with `kernel:plugins` listing `plugins`, or without it (`undefined`: not consumed). */
function servicesWith(plugins: Partial<PluginStatus>[] | undefined): SignInServices {
  const list = (plugins ?? []).map(
    (plugin) =>
      ({
        name: "p",
        version: "1.0.0",
        status: "running",
        provides: [],
        dependencies: {},
        ...plugin,
      }) as PluginStatus,
  );
  const kernelPlugins: KernelPlugins = { list: () => list, subscribe: () => () => {} };
  return {
    has: () => plugins !== undefined,
    get: () => {
      if (plugins === undefined) throw new Error("kernel:plugins is not in consumes");
      return kernelPlugins;
    },
  };
}

describe("signInPath", () => {
  it("is the running auth provider's <base>/login, wherever it is mounted", () => {
    expect(signInPath(servicesWith([{ name: "auth", base: "/auth", provides: ["auth"] }]))).toBe(
      "/auth/login",
    );
    expect(
      signInPath(
        servicesWith([
          { name: "logs", base: "/logs" },
          { base: "/id", provides: ["auth"] },
        ]),
      ),
    ).toBe("/id/login");
    expect(authBase(servicesWith([{ base: "/id", provides: ["auth"] }]))).toBe("/id");
    // a provider without a base of its own is at the first-party default
    expect(signInPath(servicesWith([{ provides: ["auth"] }]))).toBe(DEFAULT_SIGN_IN_PATH);
  });

  it("is undefined without a running auth provider, or without kernel:plugins to ask", () => {
    expect(signInPath(servicesWith([]))).toBeUndefined();
    expect(signInPath(servicesWith([{ base: "/logs", provides: ["logs"] }]))).toBeUndefined();
    expect(signInPath(servicesWith([{ base: "/id", provides: ["auth"], status: "failed" }]))).toBeUndefined();
    expect(signInPath(servicesWith(undefined))).toBeUndefined();
  });
});

describe("signInUrl", () => {
  it("comes back to a path on this site, query and all", () => {
    expect(signInUrl("/id/login", "/logs/")).toBe("/id/login?next=%2Flogs%2F");
    expect(signInUrl("/auth/login", "/logs/?level=warn&q=a b")).toBe(
      `/auth/login?next=${encodeURIComponent("/logs/?level=warn&q=a%20b")}`,
    );
    expect(signInUrl("/auth/login", "/a/../b")).toBe("/auth/login?next=%2Fb");
  });

  const hostile: unknown[] = [
    undefined,
    "",
    "logs",
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\u0000/evil.example",
    "/%2fevil.example",
    "/%5Cevil.example",
    "/.//evil.example",
    "javascript:alert(1)",
    "https://evil.example/",
    "http:/evil.example",
  ];
  for (const returnPath of hostile) {
    it(`drops the return path ${JSON.stringify(returnPath)} (sign-in lands on /)`, () => {
      expect(sameSitePath(returnPath)).toBeUndefined();
      expect(signInUrl("/auth/login", returnPath as string | undefined)).toBe("/auth/login");
    });
  }
});

describe("authRequired", () => {
  it("is the coded JSON 401 naming the sign-in page, with the Bearer challenge", async () => {
    const response = authRequired("/shell/api/catalog", "/id/login");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="buntime"');
    expect(await response.json()).toEqual({
      error: {
        code: "BUNTIME_ERR_AUTH_REQUIRED",
        message: "/shell/api/catalog needs a signed-in user or a token",
      },
      signIn: "/id/login",
    });
  });

  it("names no sign-in page when there is none (pages fall back to DEFAULT_SIGN_IN_PATH)", async () => {
    const body = (await authRequired("/x/api/y", undefined).json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty("signIn");
    expect(body.error).toMatchObject({ code: "BUNTIME_ERR_AUTH_REQUIRED" });
    expect(DEFAULT_SIGN_IN_PATH).toBe("/auth/login");
  });
});
