/**
 * The kernel under test: 5 plugins with no-op onRequest/onResponse hooks and a plugin at `/`
 * answering `hello`. Prints its URL on stdout.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel, type InlinePlugin } from "@buntime/kernel";
import { definePlugin } from "@buntime/sdk";

const noop = (i: number): InlinePlugin => ({
  packageJson: { name: `noop-${i}`, version: "1.0.0", buntime: { kernel: "*" } },
  plugin: definePlugin({ setup: () => ({ onRequest: () => {}, onResponse: () => {} }) }),
});

const kernel = createKernel({
  config: {
    home: mkdtempSync(join(tmpdir(), "buntime-bench-")),
    port: 0,
    hostname: "127.0.0.1",
    logLevel: "warn",
  },
  plugins: [
    ...Array.from({ length: Number(process.env.BENCH_HOOK_PLUGINS ?? 5) }, (_, i) => noop(i + 1)),
    {
      packageJson: { name: "hello", version: "1.0.0", buntime: { kernel: "*", base: "/" } },
      plugin: definePlugin({ setup: () => ({ fetch: () => new Response("hello") }) }),
    },
  ],
});
await kernel.start();
console.log((await kernel.listen()).href);
