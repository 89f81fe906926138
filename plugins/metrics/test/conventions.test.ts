/**
 * The exposition follows Prometheus' conventions, checked by Prometheus' own linter
 * (`promtool check metrics`, Debian package `prometheus`) and by parsing it here: base units and
 * `_total` in names, latency as histograms (a `quantile` label only on summaries), the standard
 * `process_*` metrics, and a `node` label on every sample. The scrape token guards the text.
 */
import { afterEach, describe, expect, it } from "bun:test";
import { hostname } from "node:os";
import { join } from "node:path";
import { createTestKernel, type TestKernel, type TestPlugin } from "@buntime/kernel/testing";
import { definePlugin } from "@buntime/sdk";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";

const PLUGIN_DIR = join(import.meta.dir, "..");
const TOKEN = "scrape-token-0123456789abcdef";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Says who the caller is from `x-admin`, as the auth plugin would in `locals.user`. */
const signIn: TestPlugin = {
  packageJson: { name: "sign-in", version: "1.0.0", buntime: { kernel: "^0.1.0" } },
  plugin: definePlugin({
    setup: () => ({
      onRequest(request, context) {
        if (request.headers.get("x-admin")) context.locals.user = { username: "root", roles: ["admin"] };
      },
    }),
  }),
};

async function start(settings: Record<string, unknown> = {}): Promise<TestKernel> {
  const kernel = await createTestKernel({
    plugins: [PLUGIN_DIR, signIn],
    config: { plugins: { "@buntime/plugin-metrics": settings } },
  });
  cleanups.push(() => kernel.stop());
  return kernel;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples and declared types of an exposition (the text format's grammar, strictly). */
function parse(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("# HELP ")) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (sample[2] ?? "").matchAll(
      /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g,
    )) {
      labels[name as string] = value as string;
    }
    samples.push({ name: sample[1] as string, labels, value: Number(sample[3]) });
  }
  return { types, samples };
}

/** The metric a sample belongs to: its name without a histogram's or summary's suffix. */
function familyOf(name: string, types: Map<string, string>): string {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    const family = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && (types.get(family) === "histogram" || types.get(family) === "summary"))
      return family;
  }
  return name;
}

describe("the Prometheus exposition's conventions", () => {
  it("labels every sample with the node, writes latency as histograms and counters with _total, and has the process metrics", async () => {
    const kernel = await start({ node: "node-a" });
    await kernel.fetch("/metrics/api/snapshot");
    const { types, samples } = parse(await (await kernel.fetch("/metrics")).text());
    expect(samples.length).toBeGreaterThan(20);
    for (const sample of samples) {
      expect(sample.labels.node).toBe("node-a");
      const type = types.get(familyOf(sample.name, types));
      expect(type).toBeDefined();
      if (type === "counter") expect(sample.name).toEndWith("_total");
      if ("quantile" in sample.labels) expect(type).toBe("summary");
    }
    expect(types.get("buntime_http_request_duration_seconds")).toBe("histogram");
    const names = new Set(samples.map((sample) => sample.name));
    for (const name of [
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "process_start_time_seconds",
    ]) {
      expect(names.has(name)).toBe(true);
    }
    if (process.platform === "linux") {
      expect(samples.find((sample) => sample.name === "process_open_fds")?.value).toBeGreaterThan(0);
      expect(names.has("process_max_fds")).toBe(true);
      expect(names.has("process_virtual_memory_bytes")).toBe(true);
    }
    const startTime = samples.find((sample) => sample.name === "process_start_time_seconds")?.value ?? 0;
    expect(Math.abs(startTime - (Date.now() / 1000 - process.uptime()))).toBeLessThan(2);
  });

  it("names the node by the host name when not told", async () => {
    const kernel = await start();
    const { samples } = parse(await (await kernel.fetch("/metrics")).text());
    expect(samples[0]?.labels.node).toBe(process.env.BUNTIME_NODE || hostname());
  });

  it.skipIf(skipWithoutSystemTool({ command: "promtool", debianPackage: "prometheus" }))(
    "passes promtool check metrics without a lint problem",
    async () => {
      const kernel = await start();
      await kernel.fetch("/nowhere");
      const text = await (await kernel.fetch("/metrics")).text();
      const check = Bun.spawnSync(["promtool", "check", "metrics"], {
        stdin: new TextEncoder().encode(text),
      });
      const problems = `${check.stdout.toString()}${check.stderr.toString()}`;
      expect(problems).toBe("");
      expect(check.exitCode).toBe(0);
    },
  );
});

describe("the scrape token", () => {
  it("answers 401 with a code unless the request carries the token or comes from an admin", async () => {
    const kernel = await start({ scrapeToken: TOKEN });
    const none = await kernel.fetch("/metrics");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe(
      "BUNTIME_ERR_METRICS_SCRAPE_UNAUTHORIZED",
    );
    for (const wrong of [
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(1)}`,
      TOKEN,
      `Basic ${btoa(`a:${TOKEN}`)}`,
      "Bearer ",
    ]) {
      expect((await kernel.fetch("/metrics", { headers: { authorization: wrong } })).status).toBe(401);
    }
    const scraped = await kernel.fetch("/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain("buntime_http_requests_total");
    expect((await kernel.fetch("/metrics", { headers: { "x-admin": "1" } })).status).toBe(200);
  });

  it("is refused at start when shorter than 16 characters", async () => {
    const starting = createTestKernel({
      plugins: [PLUGIN_DIR],
      config: { plugins: { "@buntime/plugin-metrics": { scrapeToken: "short" } } },
    });
    await expect(starting).rejects.toThrow('plugins["@buntime/plugin-metrics"].scrapeToken: Too small');
  });
});
