/**
 * createTestKernel's temporary home lets a process-tier app's sandbox user pass through it, so
 * plugin authors' tests (often run as root in CI) can run apps in the process tier.
 */
import { describe, expect, it } from "bun:test";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTestKernel } from "@buntime/kernel/testing";
import { definePlugin } from "@buntime/sdk";
import { skipWithoutSandbox } from "@buntime/test-kit/system";

const SANDBOX_MISSING = skipWithoutSandbox();

/** A plugin that runs the app folder `<home>/apps/boxed` in the process tier at `/boxed`. */
const boxed = {
  packageJson: { name: "boxed", version: "1.0.0", buntime: { kernel: "*", base: "/boxed" } },
  plugin: definePlugin({
    setup(ctx) {
      const dir = join(ctx.kernel.appsDir, "boxed");
      return {
        fetch: (request) =>
          ctx.pool.fetch(
            { name: "boxed", version: "0.0.0", entry: join(dir, "index.ts"), dir, isolation: "process" },
            request,
          ),
      };
    },
  }),
};

describe("createTestKernel's temporary home", () => {
  it("lets others pass through (0711) but not list it", async () => {
    const kernel = await createTestKernel();
    try {
      expect(statSync(kernel.home).mode & 0o777).toBe(0o711);
    } finally {
      await kernel.stop();
    }
  });

  it.skipIf(SANDBOX_MISSING)(
    "runs a process-tier app from its apps folder",
    async () => {
      const kernel = await createTestKernel({ plugins: [boxed] });
      try {
        const dir = join(kernel.home, "apps", "boxed");
        mkdirSync(dir, { recursive: true, mode: 0o755 });
        writeFileSync(
          join(dir, "index.ts"),
          'export default { fetch: () => new Response("running in " + process.cwd()) };\n',
          { mode: 0o644 },
        );
        const response = await kernel.fetch("/boxed/");
        expect(await response.text()).toBe("running in /app");
        expect(response.status).toBe(200);
      } finally {
        await kernel.stop();
      }
    },
    30_000,
  );
});
