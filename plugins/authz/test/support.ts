/** Helpers of the authz tests: a kernel with auth, router, storage and authz from their folders. */
import { afterEach } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";

const PLUGINS = join(import.meta.dir, "..", "..");
export const ADMIN_PASSWORD = "correct horse battery staple";
const kernels: TestKernel[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
});

/** Starts auth, router, storage and authz (with `settings`), and an app `notes` open to anyone. */
export async function startAuthz(settings: Record<string, unknown> = {}) {
  process.env.BUNTIME_ADMIN_PASSWORD = ADMIN_PASSWORD;
  const kernel = await createTestKernel({
    plugins: ["storage", "auth", "router", "authz"].map((name) => join(PLUGINS, name)),
    config: { plugins: { "@buntime/plugin-authz": settings } },
  });
  kernels.push(kernel);
  const dir = join(kernel.home, "apps", "notes");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "index.ts"),
    `export default { fetch: (req) => Response.json({ user: req.headers.get("x-buntime-user") }) };`,
  );
  const response = await kernel.fetch("/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
  });
  const cookie = response.headers.getSetCookie()[0]?.split(";")[0] ?? "";
  if (response.status !== 200 || !cookie)
    throw new Error(`sign-in answered ${response.status}: ${await response.text()}`);
  /** A request as the signed-in admin. */
  const asAdmin = (path: string, init: RequestInit = {}) =>
    kernel.fetch(path, { ...init, headers: { "content-type": "application/json", cookie, ...init.headers } });
  const put = (policy: Record<string, unknown>) =>
    asAdmin(`/authz/api/policies/${policy.id}`, { method: "PUT", body: JSON.stringify(policy) });
  return { kernel, asAdmin, put };
}
