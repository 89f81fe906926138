/**
 * The kernel of the tracing bench: 5 plugins with no-op hooks (as in kernel-hello.ts; another
 * count in `BENCH_HOOK_PLUGINS`) and a plugin at `/` that sends every request to a warm app in
 * the pool with its request id, as the router does. `argv[2]`: `off`, or the sample ratio with
 * tracing on, optionally followed by `:<maxTracesPerSecond>` (`1:unlimited`); `argv[3]`: the
 * OTLP receiver's URL. Prints its URL on stdout.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel, type InlinePlugin } from "@buntime/kernel";
import { definePlugin } from "@buntime/sdk";

const [, , mode = "off", receiver = ""] = process.argv;
const [ratio, perSecond] = mode.split(":");
const budget: { maxTracesPerSecond?: number | "unlimited" } =
  perSecond === undefined
    ? {}
    : { maxTracesPerSecond: perSecond === "unlimited" ? "unlimited" : Number(perSecond) };
const HELLO = join(import.meta.dir, "..", "..", "test", "pool", "fixtures", "hello", "index.ts");

const noop = (i: number): InlinePlugin => ({
  packageJson: { name: `noop-${i}`, version: "1.0.0", buntime: { kernel: "*" } },
  plugin: definePlugin({ setup: () => ({ onRequest: () => {}, onResponse: () => {} }) }),
});

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
    ...(mode !== "off" && { tracing: { otlp: { url: receiver }, sampleRatio: Number(ratio), ...budget } }),
  },
  plugins: [
    ...Array.from({ length: Number(process.env.BENCH_HOOK_PLUGINS ?? 5) }, (_, i) => noop(i + 1)),
    app,
  ],
});
await kernel.start();
const url = await kernel.listen();
await (await fetch(url)).text(); // the app's worker is warm before the load starts
process.on("SIGINT", () => process.exit(0)); // a clean exit, so `bun --cpu-prof` writes its profile
console.log(url.href);
