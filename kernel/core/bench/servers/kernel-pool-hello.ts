/**
 * The kernel with one plugin at `/` that sends every request to a warm `hello` app in the pool
 * with its request id (what the router does, without the router's own work): the pipeline's
 * share of the warm path. Prints its URL on stdout.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel, type InlinePlugin } from "@buntime/kernel";
import { definePlugin } from "@buntime/sdk";

const HELLO = join(import.meta.dir, "..", "..", "test", "pool", "fixtures", "hello", "index.ts");

const app: InlinePlugin = {
  packageJson: { name: "apps", version: "1.0.0", buntime: { kernel: "*", base: "/" } },
  plugin: definePlugin({
    setup: (ctx) => {
      const spec = { name: "hello", version: "1.0.0", entry: HELLO };
      return {
        fetch: (request, context) =>
          ctx.pool.fetch(spec, request, { headers: { "x-request-id": context.requestId } }),
      };
    },
  }),
};

const kernel = createKernel({
  config: {
    home: mkdtempSync(join(tmpdir(), "buntime-bench-")),
    port: 0,
    hostname: "127.0.0.1",
    logLevel: "warn",
  },
  plugins: [app],
});
await kernel.start();
const url = await kernel.listen();
await (await fetch(url)).text(); // the app's worker is warm before the load starts
console.log(url.href);
