import { afterEach, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import { authPlugin, stopKernels } from "./support.ts";

afterEach(stopKernels);

const PLUGINS = join(import.meta.dir, "..", "..");

describe("auth's defaults with the default distribution's plugins", () => {
  it("keeps logs and metrics data for admins, their pages open", async () => {
    const kernel: TestKernel = await createTestKernel({
      plugins: [authPlugin, join(PLUGINS, "logs"), join(PLUGINS, "metrics")],
    });
    const token = readFileSync(join(kernel.home, "admin-token"), "utf8").trim();
    try {
      for (const path of ["/logs/api/logs", "/metrics", "/metrics/api/snapshot"]) {
        const anonymous = await kernel.fetch(path);
        expect(anonymous.status).toBe(401);
        const admin = await kernel.fetch(path, { headers: { authorization: `Bearer ${token}` } });
        expect(`${path} ${admin.status}`).toBe(`${path} 200`);
      }
      expect((await kernel.fetch("/logs/")).status).toBe(200);
      expect((await kernel.fetch("/metrics/")).status).toBe(200);
    } finally {
      await kernel.stop();
    }
  });
});
