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
