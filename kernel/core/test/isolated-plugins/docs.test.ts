/** The example of docs/isolated-plugins.md works as the page says. */
import { afterEach, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { skipWithoutSandbox } from "@buntime/test-kit/system";
import { cleanUp, get, openTempDir, startKernel } from "./support.ts";

afterEach(cleanUp);
const EXAMPLE = join(
  import.meta.dir,
  "..",
  "..",
  "..",
  "..",
  "docs",
  "examples",
  "isolated",
  "hello-isolated",
);
const SANDBOX_MISSING = skipWithoutSandbox();

describe("the plugin in docs/isolated-plugins.md", () => {
  it("answers as the page shows, in a sandbox of its own", async () => {
    process.env.HELLO_SIGNATURE = "-- the hello team";
    try {
      const home = openTempDir("buntime-iso-docs-");
      const { kernel, url } = await startKernel(
        {
          home,
          plugins: { "hello-isolated": { greeting: "Hi" } },
          ...(SANDBOX_MISSING ? { pluginPolicy: { isolation: "thread" as const } } : {}),
        },
        [EXAMPLE],
      );
      expect((await get(url, "/hello/there")).body).toEqual({
        message: "Hi from hello-isolated",
        path: "/there",
        served: 1,
        signature: "-- the hello team",
      });
      expect(kernel.plugins()).toMatchObject([
        { name: "hello-isolated", mode: "isolated", status: "running" },
      ]);
    } finally {
      delete process.env.HELLO_SIGNATURE;
    }
  });
});
