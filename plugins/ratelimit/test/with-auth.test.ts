import { afterEach, expect, it } from "bun:test";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import auth from "@buntime/plugin-auth";
import authPackage from "@buntime/plugin-auth/package.json" with { type: "json" };
import ratelimit from "@buntime/plugin-ratelimit";
import { definePlugin } from "@buntime/sdk";
import ratelimitPackage from "../package.json" with { type: "json" };

let kernel: TestKernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
  delete process.env.BUNTIME_ADMIN_PASSWORD;
});

const api = {
  packageJson: { name: "api", version: "1.0.0", buntime: { kernel: "*", base: "/api" } },
  plugin: definePlugin({ setup: () => ({ fetch: () => new Response("ok") }) }),
};

/**
 * A kernel with the real ratelimit and auth plugins (given ratelimit first: the kernel orders by
 * the manifests, auth, an optional dependency of ratelimit, first) and one ratelimit rule on
 * `/api/*`; resolves with the kernel and the session cookie of the signed-in admin.
 */
async function signedInKernel(rule: object): Promise<{ started: TestKernel; cookie: string }> {
  process.env.BUNTIME_ADMIN_PASSWORD = "correct horse battery";
  const started = await createTestKernel({
    plugins: [
      { packageJson: ratelimitPackage, plugin: ratelimit },
      { packageJson: authPackage, plugin: auth },
      api,
    ],
    config: {
      plugins: { "@buntime/plugin-ratelimit": { rules: [{ path: "/api/*", window: "1m", ...rule }] } },
    },
  });
  kernel = started;
  const login = await started.fetch("/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: "correct horse battery" }),
  });
  expect(login.status).toBe(200);
  return { started, cookie: (login.headers.get("set-cookie") ?? "").split(";")[0] as string };
}

it("counts a rule keyed by user per signed-in user with the real auth plugin and the manifests both ship", async () => {
  const { started, cookie } = await signedInKernel({ name: "per-user", key: "user", limit: 2 });
  const asAdmin = () => started.fetch("/api/x", { headers: { cookie } }).then((r) => r.status);
  const anonymous = () => started.fetch("/api/x").then((r) => r.status);
  expect([await asAdmin(), await asAdmin(), await asAdmin()]).toEqual([200, 200, 429]);
  // an anonymous caller has a counter of its own (by address), untouched by the admin's
  expect(await anonymous()).toBe(200);
  expect(started.logs.some((line) => line.message.includes("no auth plugin runs before ratelimit"))).toBe(
    false,
  );
}, 20_000);

it("counts a rule keyed by apiKey per key auth verified, and forged keys by address", async () => {
  const { started, cookie } = await signedInKernel({ name: "per-key", key: "apiKey", limit: 1 });
  const newKey = async (name: string) => {
    const created = await started.fetch("/auth/api/keys", {
      method: "POST",
      headers: { cookie, "content-type": "application/json", origin: "http://localhost" },
      body: JSON.stringify({ name }),
    });
    expect(created.status).toBe(201);
    return ((await created.json()) as { key: string }).key;
  };
  const [first, second] = [await newKey("first"), await newKey("second")];
  const withBearer = (key: string) =>
    started.fetch("/api/x", { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
  // each verified key has its own counter
  expect([await withBearer(first), await withBearer(first)]).toEqual([200, 429]);
  expect(await withBearer(second)).toBe(200);
  // made-up keys (auth lets them pass as anonymous) share the caller's address counter
  const forged = (key: string) =>
    started.fetch("/api/x", { headers: { "x-api-key": key } }).then((r) => r.status);
  expect([await forged("a"), await forged("b"), await forged("c")]).toEqual([200, 429, 429]);
}, 20_000);
