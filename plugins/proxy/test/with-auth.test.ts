import { afterEach, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTestKernel } from "@buntime/kernel/testing";
import auth from "@buntime/plugin-auth";
import authPackage from "@buntime/plugin-auth/package.json" with { type: "json" };
import { cleanUp, errorOf, onCleanUp, proxyPlugin, startUpstream } from "./support.ts";

afterEach(cleanUp);

const PASSWORD = "a long admin passphrase";

/** A kernel with the real auth plugin in front of the proxy. */
async function startWithAuth(authSettings: Record<string, unknown>, rules: unknown[] = []) {
  process.env.BUNTIME_ADMIN_PASSWORD = PASSWORD;
  onCleanUp(() => {
    delete process.env.BUNTIME_ADMIN_PASSWORD;
  });
  const kernel = await createTestKernel({
    plugins: [{ packageJson: authPackage, plugin: auth }, proxyPlugin],
    config: {
      plugins: { "@buntime/plugin-auth": authSettings, "@buntime/plugin-proxy": { rules } },
    },
  });
  onCleanUp(() => kernel.stop());
  return { kernel, adminToken: readFileSync(join(kernel.home, "admin-token"), "utf8").trim() };
}

describe("the proxy behind the auth plugin", () => {
  it("lets the kernel's admin token edit rules and refuses anonymous callers", async () => {
    const upstream = startUpstream(() => new Response("from upstream"));
    const { kernel, adminToken } = await startWithAuth({});
    const rule = { id: "up", path: "/up/*", upstream };
    const anonymous = await kernel.fetch("/proxy/api/rules", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(rule),
    });
    expect(anonymous.status).toBe(401);
    expect((await errorOf(anonymous)).code).toBe("BUNTIME_ERR_AUTH_REQUIRED");
    const added = await kernel.fetch("/proxy/api/rules", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
      body: JSON.stringify(rule),
    });
    expect(added.status).toBe(201);
    expect(await (await kernel.fetch("/up/x")).text()).toBe("from upstream");
  }, 20_000);

  it("guards a proxied path listed in protectedPaths and tells the upstream who is calling", async () => {
    const upstream = startUpstream();
    const { kernel } = await startWithAuth({ protectedPaths: ["/reports/*"] }, [
      { id: "reports", path: "/reports/*", upstream },
    ]);
    const anonymous = await kernel.fetch("/reports/q1");
    expect(anonymous.status).toBe(401);
    const signedIn = await kernel.fetch("/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    });
    const cookie = (signedIn.headers.getSetCookie()[0] ?? "").split(";")[0] as string;
    const response = await kernel.fetch("/reports/q1", { headers: { cookie } });
    const seen = (await response.json()) as { path: string; headers: Record<string, string> };
    expect(seen.path).toBe("/reports/q1");
    expect(seen.headers["x-buntime-user"]).toBe("admin");
    expect(seen.headers["x-buntime-roles"]).toBe("admin");
  }, 20_000);
});
