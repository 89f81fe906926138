/** Auth keeps working when the storage plugin under it is replaced in a running kernel. */
import { afterEach, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel, type Kernel } from "@buntime/kernel";
import { ADMIN_PASSWORD, pluginFolder } from "./support.ts";

let kernel: Kernel | undefined;
const home = mkdtempSync(join(tmpdir(), "buntime-auth-storage-"));
afterEach(async () => {
  await kernel?.stop();
  rmSync(home, { recursive: true, force: true });
  delete process.env.BUNTIME_ADMIN_PASSWORD;
});

async function signInStatus(target: Kernel): Promise<number> {
  const response = await target.fetch(
    new Request("http://127.0.0.1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
    }),
  );
  await response.arrayBuffer();
  return response.status;
}

it("signs users in after the storage plugin was replaced (as `buntime plugin install storage` does)", async () => {
  process.env.BUNTIME_ADMIN_PASSWORD = ADMIN_PASSWORD;
  kernel = createKernel({
    config: { home, port: 0 },
    plugins: [pluginFolder("storage"), pluginFolder("auth")],
    logSink: () => {},
  });
  await kernel.start();
  expect(await signInStatus(kernel)).toBe(200);
  await kernel.replace(pluginFolder("storage"));
  // before, auth held the closed store: every sign-in answered 500 "Database has closed"
  expect(await signInStatus(kernel)).toBe(200);
});
