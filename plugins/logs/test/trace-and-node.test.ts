import { afterEach, describe, expect, it } from "bun:test";
import { hostname } from "node:os";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import type { StoredLogEntry } from "@buntime/plugin-logs";

const PLUGIN_DIR = join(import.meta.dir, "..");
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

const kernels: TestKernel[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
});

async function start(settings: Record<string, unknown>, tracing?: object): Promise<TestKernel> {
  const kernel = await createTestKernel({
    plugins: [PLUGIN_DIR],
    config: { ...(tracing && { tracing }), plugins: { "@buntime/plugin-logs": settings } },
  });
  kernels.push(kernel);
  return kernel;
}

async function accessLines(kernel: TestKernel): Promise<StoredLogEntry[]> {
  const body = (await (await kernel.fetch("/logs/api/logs?namespace=http")).json()) as {
    entries: StoredLogEntry[];
  };
  return body.entries;
}

describe("access lines' trace id and every line's node", () => {
  it("names the node on every line, and no trace id while the kernel does not trace", async () => {
    const kernel = await start({ node: "node-a" });
    await kernel.fetch("/x", { headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` } });
    const [x] = await accessLines(kernel);
    expect(x).toMatchObject({ node: "node-a", fields: { path: "/x" } });
    expect(x?.fields?.requestId).toEqual(expect.any(String));
    expect(x?.fields?.traceId).toBeUndefined();
    const all = (await (await kernel.fetch("/logs/api/logs")).json()) as { entries: StoredLogEntry[] };
    expect(all.entries.every((entry) => entry.node === "node-a")).toBe(true);
  });

  it("takes the kernel's trace id while it traces: the caller's valid one, else a fresh one", async () => {
    const collector = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => Response.json({}) });
    try {
      const kernel = await start({}, { otlp: { url: `${collector.url.href}v1/traces` } });
      await kernel.fetch("/x", { headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` } });
      await kernel.fetch("/y", {
        headers: { traceparent: `00-<script>alert(1)</script>xxxxxxxxxxxxxxxxxx-01` },
      });
      const [x, y] = await accessLines(kernel);
      expect(x?.node).toBe(process.env.BUNTIME_NODE || hostname());
      expect(x?.fields?.traceId).toBe(TRACE);
      expect(y?.fields?.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(y?.fields?.traceId).not.toBe(TRACE);
    } finally {
      collector.stop(true);
    }
  });
});
