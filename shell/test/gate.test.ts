import { describe, expect, it } from "bun:test";
import type { PluginContext, RequestContext } from "@buntime/sdk";
import { admit, isLoopback } from "../src/server/gate.ts";

function contextFrom(address: string | undefined): RequestContext {
  return { requestId: "r", pathname: "/", locals: {}, clientAddress: () => address };
}

/** A plugin context with no auth service, as the shell sees a kernel without the auth plugin. */
const withoutAuth = {
  services: { has: () => false, get: () => ({ list: () => [] }) },
} as unknown as PluginContext;

describe("who may see the shell without the auth plugin", () => {
  it("knows loopback addresses, IPv4-mapped ones too, and nothing else", () => {
    for (const address of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
      expect(isLoopback(address)).toBe(true);
    for (const address of ["10.0.0.5", "::ffff:10.0.0.5", "192.168.1.1", "fe80::1", "1127.0.0.1"])
      expect(isLoopback(address)).toBe(false);
  });

  it("admits loopback and in-process callers, and refuses any other address with a coded 403", async () => {
    expect(await admit(withoutAuth, new Request("http://x/"), contextFrom("127.0.0.1"), true)).toEqual({
      auth: false,
    });
    expect(await admit(withoutAuth, new Request("http://x/"), contextFrom(undefined), true)).toEqual({
      auth: false,
    });
    const refused = await admit(withoutAuth, new Request("http://x/"), contextFrom("10.0.0.5"), true);
    expect(refused).toBeInstanceOf(Response);
    const response = refused as Response;
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("BUNTIME_ERR_SHELL_LOOPBACK_ONLY");
    expect(body.error.message).toContain("10.0.0.5");
  });
});

/** A plugin context with the auth service (no one signed in) and the auth plugin running at `base`. */
function withAuthAt(base: string): PluginContext {
  const plugins = [
    { name: "auth", version: "1.0.0", base, status: "running", provides: ["auth"], dependencies: {} },
  ];
  const services: Record<string, unknown> = {
    auth: { currentUser: async () => undefined },
    "kernel:plugins": { list: () => plugins, subscribe: () => () => {} },
  };
  return {
    services: { has: (name: string) => name in services, get: (name: string) => services[name] },
  } as never;
}

describe("who may see the shell with the auth plugin mounted at /id", () => {
  it("answers a signed-out script's call with the coded 401 naming /id/login", async () => {
    const refused = (await admit(
      withAuthAt("/id"),
      new Request("http://x/shell/api/catalog"),
      contextFrom(undefined),
      false,
    )) as Response;
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({
      error: { code: "BUNTIME_ERR_AUTH_REQUIRED" },
      signIn: "/id/login",
    });
  });

  it("sends a signed-out page load to /id/login and back, and never back to another site", async () => {
    const page = (await admit(
      withAuthAt("/id"),
      new Request("http://x/demo/b?x=1"),
      { ...contextFrom(undefined), pathname: "/demo/b" },
      true,
    )) as Response;
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe(`/id/login?next=${encodeURIComponent("/demo/b?x=1")}`);
    const hostile = (await admit(
      withAuthAt("/id"),
      new Request("http://x//evil.example"),
      { ...contextFrom(undefined), pathname: "//evil.example" },
      true,
    )) as Response;
    expect(hostile.headers.get("location")).toBe("/id/login");
  });
});
