import { describe, expect, it } from "bun:test";
import { inlinePlugin, signInPlugin, startTestKernel, withHooks } from "./support/kernel-fixture.ts";

describe("kernel API writes from signed-in users", () => {
  it("accepts a write from a request whose locals.user has the admin role", async () => {
    const { kernel, request } = await startTestKernel({
      plugins: [signInPlugin(), inlinePlugin("victim", {}, withHooks())],
    });
    const res = await request("/_/api/plugins/victim", {
      method: "DELETE",
      headers: { "x-user": "ada", "x-roles": "editor,admin" },
    });
    expect(res.status).toBe(204);
    expect(kernel.plugins().map((p) => p.name)).toEqual(["sign-in"]);
  });

  it.each<{ case: string; headers: Record<string, string> }>([
    { case: "a signed-in user without the admin role", headers: { "x-user": "bob", "x-roles": "editor" } },
    { case: "a signed-in user with no roles", headers: { "x-user": "bob" } },
    { case: "nobody signed in", headers: {} },
  ])("refuses a write with 401 from $case", async ({ headers }) => {
    const { kernel, request } = await startTestKernel({
      plugins: [signInPlugin(), inlinePlugin("victim", {}, withHooks())],
    });
    const res = await request("/_/api/plugins/victim", { method: "DELETE", headers });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="buntime"');
    expect((await res.json()).error.code).toBe("BUNTIME_ERR_UNAUTHORIZED");
    expect(kernel.plugins().map((p) => p.name)).toEqual(["sign-in", "victim"]);
  });
});

describe("kernel API bodies", () => {
  it("refuses a body over 64 KiB with 413 before reading it, even from the admin", async () => {
    const { kernel, request } = await startTestKernel();
    const huge = JSON.stringify({ plugins: [{ name: "a", version: "1.0.0", padding: "x".repeat(70_000) }] });
    const refused = await request("/_/api/plugins", {
      method: "POST",
      headers: { authorization: `Bearer ${kernel.adminToken}`, "content-type": "application/json" },
      body: huge,
    });
    expect(refused.status).toBe(413);
    expect((await refused.json()).error.code).toBe("BUNTIME_ERR_BODY_TOO_LARGE");
    expect(kernel.plugins()).toEqual([]);
  });
});
