import { afterEach, describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { createKernel } from "@buntime/kernel";
import { BuntimeError, definePlugin } from "@buntime/sdk";
import { inlinePlugin, onCleanup, tempDir } from "./support/kernel-fixture.ts";

const realWrite = process.stderr.write.bind(process.stderr);
afterEach(() => {
  process.stderr.write = realWrite;
});

/** Collects what is written to stderr while the test runs. */
function captureStderr(): string[] {
  const lines: string[] = [];
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  }) as typeof process.stderr.write;
  return lines;
}

/**
 * The captured lines of this test's kernel: those naming its plugin or app, or written while it
 * started and stopped. A kernel another test file left running may write to stderr meanwhile,
 * in its own format; none of its lines names `shop` or `talker`.
 */
function ours(lines: string[]): string[] {
  return lines.filter((line) => /shop|talker|"stopped"|listening/.test(line));
}

/** The first parsed line whose `msg` contains `text`. */
function lineWith(lines: string[], text: string): Record<string, unknown> {
  const parsed = ours(lines).map((line) => JSON.parse(line) as Record<string, unknown>);
  const found = parsed.find((line) => String(line.msg).includes(text));
  if (found === undefined) throw new Error(`no line with ${text} in ${lines.join("\n")}`);
  return found;
}

describe("logFormat json", () => {
  it("writes kernel, plugin and app (worker) lines as one JSON shape with node, plugin/app, requestId and code", async () => {
    const app = join(tempDir(), "index.ts");
    writeFileSync(
      app,
      `export default { fetch: () => { console.warn("app says hi"); return new Response("ok"); } };`,
    );
    const plugin = definePlugin({
      setup: (ctx) => ({
        fetch(request, context) {
          ctx.logger.info("plugin handled", { requestId: context.requestId });
          if (new URL(request.url).pathname.endsWith("/fail"))
            throw new BuntimeError("BUNTIME_ERR_BAD_REQUEST", { details: "nope" });
          return ctx.pool.fetch({ name: "talker", version: "1.0.0", entry: app }, request, {
            headers: { "x-request-id": context.requestId },
          });
        },
      }),
    });
    const lines = captureStderr();
    const kernel = createKernel({
      config: {
        home: tempDir(),
        port: 0,
        logFormat: "json",
      },
      plugins: [inlinePlugin("shop", { base: "/shop" }, plugin)],
    });
    onCleanup(() => kernel.stop());
    await kernel.start();
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const ok = await kernel.fetch(new Request("http://127.0.0.1/shop/x", { headers: { traceparent } }));
    expect(await ok.text()).toBe("ok");
    const failed = await kernel.fetch(new Request("http://127.0.0.1/shop/fail"));
    expect(failed.status).toBe(500);
    const deadline = performance.now() + 3000;
    while (!lines.some((line) => line.includes("app says hi")) && performance.now() < deadline)
      await Bun.sleep(10);
    await kernel.stop();
    process.stderr.write = realWrite;

    expect(ours(lines).length).toBeGreaterThanOrEqual(4);
    for (const line of ours(lines)) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(parsed).slice(0, 5)).toEqual(["time", "level", "msg", "node", "ns"]);
      expect(parsed.node).toBe(hostname());
      expect(Number.isNaN(Date.parse(String(parsed.time)))).toBe(false);
    }
    expect(lineWith(lines, "started shop")).toMatchObject({
      level: "info",
      ns: "kernel:plugins",
      base: "/shop",
    });
    const pluginLine = lineWith(lines, "plugin handled");
    expect(pluginLine).toMatchObject({
      ns: "plugin:shop",
      plugin: "shop",
      requestId: ok.headers.get("x-request-id"),
    });
    const appLine = lineWith(lines, "app says hi");
    expect(appLine).toMatchObject({
      level: "warn",
      ns: "app:talker",
      app: "talker",
      requestId: expect.any(String),
    });
    const errorLine = lineWith(lines, "shop fetch failed");
    expect(errorLine).toMatchObject({ level: "error", plugin: "shop", code: "BUNTIME_ERR_HOOK_FAILED" });
    expect(errorLine.requestId).toBe(failed.headers.get("x-request-id"));
    expect(errorLine.error).toMatchObject({
      name: "BuntimeError",
      message: "nope",
      code: "BUNTIME_ERR_BAD_REQUEST",
    });
  });

  it("names the node by cluster.node when set, else the host name", async () => {
    const { nodeName } = await import("../src/logger.ts");
    expect(nodeName("node-a")).toBe("node-a");
    expect(nodeName(undefined)).toBe(hostname());
  });

  it("keeps fields that clash with the fixed keys under fields", async () => {
    const { jsonLogLine } = await import("@buntime/sdk");
    const line = JSON.parse(
      jsonLogLine(
        {
          time: "2026-12-06T00:00:00.000Z",
          level: "error",
          namespace: "kernel",
          message: "m",
          fields: {
            msg: "spoof",
            node: "evil",
            cause: Object.assign(new Error("deep"), { code: "BUNTIME_ERR_X" }),
          },
        },
        hostname(),
      ),
    );
    expect(line).toMatchObject({ msg: "m", node: hostname(), fields: { msg: "spoof", node: "evil" } });
    expect(line.error).toMatchObject({ name: "Error", message: "deep", code: "BUNTIME_ERR_X" });
  });
});
