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

it("counts a rule keyed by user per signed-in user with the real auth plugin and the manifests both ship", async () => {
  process.env.BUNTIME_ADMIN_PASSWORD = "correct horse battery";
  kernel = await createTestKernel({
    // given ratelimit first: the kernel orders by the manifests, auth (an optional dependency of ratelimit) first
    plugins: [
      { packageJson: ratelimitPackage, plugin: ratelimit },
      { packageJson: authPackage, plugin: auth },
      api,
    ],
    config: {
      plugins: {
        "@buntime/plugin-ratelimit": {
          rules: [{ name: "per-user", path: "/api/*", key: "user", limit: 2, window: "1m" }],
        },
      },
    },
  });
  const login = await kernel.fetch("/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: "correct horse battery" }),
  });
  expect(login.status).toBe(200);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const asAdmin = () => kernel?.fetch("/api/x", { headers: { cookie } }).then((r) => r.status);
  const anonymous = () => kernel?.fetch("/api/x").then((r) => r.status);
  expect([await asAdmin(), await asAdmin(), await asAdmin()]).toEqual([200, 200, 429]);
  // an anonymous caller has a counter of its own (by address), untouched by the admin's
  expect(await anonymous()).toBe(200);
  expect(kernel.logs.some((line) => line.message.includes("no auth plugin runs before ratelimit"))).toBe(
    false,
  );
}, 20_000);
