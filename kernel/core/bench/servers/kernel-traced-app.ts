/**
 * The kernel of the tracing bench: 5 plugins with no-op hooks (as in kernel-hello.ts) and a
 * plugin at `/` that sends every request to a warm app in the pool with its request id, as the
 * router does. `argv[2]`: `off`, or the sample ratio with tracing on, optionally followed by
 * `:<maxTracesPerSecond>` (`1:unlimited`); several modes, comma-separated, start one kernel each
 * in this one process. `argv[3]`: the OTLP receiver's URL. Prints the kernels' URLs on one line,
 * space-separated, in the order of the modes.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel, type InlinePlugin } from "@buntime/kernel";
import { definePlugin } from "@buntime/sdk";

const [, , modes = "off", receiver = ""] = process.argv;

/** The kernel config's `tracing` section for one mode, or undefined for `off`. */
function tracingFor(mode: string) {
  if (mode === "off") return undefined;
  const [ratio, perSecond] = mode.split(":");
  return {
    otlp: { url: receiver },
    sampleRatio: Number(ratio),
    ...(perSecond !== undefined && {
      maxTracesPerSecond: perSecond === "unlimited" ? ("unlimited" as const) : Number(perSecond),
    }),
  };
}
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

/** One kernel with tracing as `mode`, listening, its app's worker warm. */
async function serve(mode: string): Promise<string> {
  const tracing = tracingFor(mode);
  const kernel = createKernel({
    config: {
      home: mkdtempSync(join(tmpdir(), "buntime-bench-")),
      port: 0,
      hostname: "127.0.0.1",
      logLevel: "warn",
      ...(tracing !== undefined && { tracing }),
    },
    plugins: [...Array.from({ length: 5 }, (_, i) => noop(i + 1)), app],
  });
  await kernel.start();
  const url = await kernel.listen();
  await (await fetch(url)).text();
  return url.href;
}

const urls: string[] = [];
for (const mode of modes.split(",")) urls.push(await serve(mode));
process.on("SIGINT", () => process.exit(0)); // a clean exit, so `bun --cpu-prof` writes its profile
console.log(urls.join(" "));
