import { afterEach, describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { KernelConfigOptions } from "@buntime/kernel";
import { createTestKernel, type TestKernel, type TestPlugin } from "@buntime/kernel/testing";
import type { StoredLogEntry } from "@buntime/plugin-logs";
import { definePlugin } from "@buntime/sdk";

/** The plugin's own folder: loaded from there, it also serves its `ui` folder. */
const PLUGIN_DIR = join(import.meta.dir, "..");

const kernels: TestKernel[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
});

const logsPlugin = PLUGIN_DIR;

/** A plugin at /talk that logs what it is told: `/talk/<level>/<message>?app=…`. */
const talker: TestPlugin = {
  packageJson: { name: "talker", version: "1.0.0", buntime: { kernel: "^0.1.0", base: "/talk" } },
  plugin: definePlugin({
    setup: (ctx) => ({
      fetch(request) {
        const url = new URL(request.url);
        const [, , level, message] = url.pathname.split("/");
        const app = url.searchParams.get("app");
        ctx.logger[level as "info" | "warn" | "error"](
          decodeURIComponent(message ?? ""),
          app ? { app } : undefined,
        );
        return new Response("ok");
      },
    }),
  }),
};

async function start(
  settings: Record<string, unknown> = {},
  extra: TestPlugin[] = [talker],
  kernelSettings: KernelConfigOptions = {},
) {
  const kernel = await createTestKernel({
    plugins: [logsPlugin, ...extra],
    config: { ...kernelSettings, plugins: { "@buntime/plugin-logs": settings } },
  });
  kernels.push(kernel);
  return kernel;
}

async function query(kernel: TestKernel, params: string) {
  const response = await kernel.fetch(`/logs/api/logs?${params}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function entries(kernel: TestKernel, params: string): Promise<StoredLogEntry[]> {
  const { status, body } = await query(kernel, params);
  expect(status).toBe(200);
  return body.entries as StoredLogEntry[];
}

describe("logs plugin", () => {
  it("keeps the kernel's own log lines from the kernel:logs feed", async () => {
    const kernel = await start();
    const found = await entries(kernel, "namespace=kernel&q=started%20talker");
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toBe("started talker@1.0.0");
    expect(found[0]?.level).toBe("info");
  });

  it("writes one access line per request with method, path, route, status, duration and request id", async () => {
    const kernel = await start({}, [talker], { trustRequestId: true });
    const got = await kernel.fetch("/talk/info/hello");
    expect(got.status).toBe(200);
    const posted = await kernel.fetch("/nowhere/x?y=1", {
      method: "POST",
      headers: { "x-request-id": "req-42" },
    });
    expect(posted.status).toBe(404);
    const access = await entries(kernel, "namespace=http");
    expect(access.map((entry) => entry.message)).toEqual(["GET /talk/info/hello 200", "POST /nowhere/x 404"]);
    const fields = access[1]?.fields as Record<string, unknown>;
    expect(fields).toMatchObject({
      method: "POST",
      path: "/nowhere/x",
      route: "/nowhere",
      status: 404,
      requestId: "req-42",
    });
    // the id the kernel answered with, which its own log lines about the request carry too
    expect(access[0]?.fields?.requestId).toBe(got.headers.get("x-request-id") ?? "");
    expect(typeof fields.durationMs).toBe("number");
    expect(fields.durationMs as number).toBeGreaterThanOrEqual(0);
  });

  it("leaves its own API and UI requests out of the access lines", async () => {
    const kernel = await start();
    await kernel.fetch("/logs/");
    await kernel.fetch("/logs/api/logs");
    await kernel.fetch("/talk/info/x");
    const access = await entries(kernel, "namespace=http");
    expect(access.map((entry) => entry.fields?.path)).toEqual(["/talk/info/x"]);
  });

  it("logs 5xx answers at error level", async () => {
    const failing: TestPlugin = {
      packageJson: { name: "failing", version: "1.0.0", buntime: { kernel: "^0.1.0", base: "/fail" } },
      plugin: definePlugin({ setup: () => ({ fetch: () => new Response("down", { status: 503 }) }) }),
    };
    const kernel = await start({}, [failing]);
    await kernel.fetch("/fail");
    const errors = await entries(kernel, "namespace=http&level=error");
    expect(errors.map((entry) => entry.message)).toEqual(["GET /fail 503"]);
  });

  it("finds the kernel's error line about a plugin by plugin name, with its cause as plain JSON", async () => {
    const thrower: TestPlugin = {
      packageJson: { name: "thrower", version: "1.0.0", buntime: { kernel: "^0.1.0", base: "/throw" } },
      plugin: definePlugin({
        setup: () => ({
          fetch() {
            throw new TypeError("wires crossed");
          },
        }),
      }),
    };
    const kernel = await start({}, [thrower]);
    expect((await kernel.fetch("/throw")).status).toBe(500);
    const [line, ...rest] = await entries(kernel, "plugin=thrower&level=error&namespace=kernel");
    expect(rest).toEqual([]);
    expect(line?.fields).toMatchObject({
      plugin: "thrower",
      code: "BUNTIME_ERR_HOOK_FAILED",
      cause: { name: "TypeError", message: "wires crossed" },
    });
    expect((await entries(kernel, "q=wires%20crossed&namespace=kernel")).length).toBe(1);
  });

  it("writes no access lines when accessLog is off", async () => {
    const kernel = await start({ accessLog: false });
    await kernel.fetch("/talk/info/x");
    expect(await entries(kernel, "namespace=http")).toEqual([]);
    expect((await entries(kernel, "plugin=talker")).map((entry) => entry.message)).toEqual(["x"]);
  });

  const cases: [string, string, string[]][] = [
    ["level=warn keeps warn and error", "level=warn&namespace=plugin:talker", ["careful", "broken"]],
    ["plugin=talker keeps the plugin's lines", "plugin=talker", ["hello", "careful", "broken"]],
    ["app=shop keeps lines about the app", "app=shop&namespace=plugin", ["careful"]],
    ["q searches messages case-insensitively", "q=BROK", ["broken", "GET /talk/error/broken 200"]],
    ["q searches fields too", "q=shop@2&namespace=plugin", ["careful"]],
    ["limit keeps the newest", "plugin=talker&limit=2", ["careful", "broken"]],
    ["namespace keeps a namespace and those below it", "namespace=plugin:talker&level=error", ["broken"]],
  ];
  it.each(cases)("filters: %s", async (_name, params, messages) => {
    const kernel = await start();
    await kernel.fetch("/talk/info/hello");
    await kernel.fetch("/talk/warn/careful?app=shop@2.0.0");
    await kernel.fetch("/talk/error/broken?app=other");
    expect((await entries(kernel, params)).map((entry) => entry.message)).toEqual(messages);
  });

  it("returns only the lines recorded after a sequence number with after", async () => {
    const kernel = await start();
    await kernel.fetch("/talk/info/first");
    const [first] = await entries(kernel, "plugin=talker");
    await kernel.fetch("/talk/info/second");
    const later = await entries(kernel, `plugin=talker&after=${first?.seq}`);
    expect(later.map((entry) => entry.message)).toEqual(["second"]);
    expect(later[0]?.seq).toBeGreaterThan(first?.seq ?? Number.POSITIVE_INFINITY);
  });

  it("filters by time with since and until", async () => {
    const kernel = await start();
    await kernel.fetch("/talk/info/early");
    const [early] = await entries(kernel, "plugin=talker");
    const after = Date.parse(early?.time ?? "") + 1;
    const lines = await entries(kernel, `plugin=talker&since=${after}`);
    expect(lines).toEqual([]);
    const until = await entries(kernel, `plugin=talker&until=${encodeURIComponent(early?.time ?? "")}`);
    expect(until.map((entry) => entry.message)).toEqual(["early"]);
  });

  it("keeps only the newest lines up to its capacity", async () => {
    const kernel = await start({ capacity: 10, accessLog: false });
    for (let index = 0; index < 25; index++) await kernel.fetch(`/talk/info/line-${index}`);
    const { body } = await query(kernel, "limit=100");
    const kept = body.entries as StoredLogEntry[];
    expect(kept).toHaveLength(10);
    expect(kept.at(-1)?.message).toBe("line-24");
    expect(kept[0]?.message).toBe("line-15");
    expect(body.capacity).toBe(10);
    expect(body.recorded as number).toBeGreaterThanOrEqual(25);
    const limited = await query(kernel, "limit=3");
    expect(limited.body.truncated).toBe(true);
    expect((limited.body.entries as StoredLogEntry[]).map((entry) => entry.message)).toEqual([
      "line-22",
      "line-23",
      "line-24",
    ]);
  });

  it.each([
    ["level=loud", "level"],
    ["since=yesterday", "since"],
    ["limit=0", "limit"],
    ["colour=red", "colour"],
    [`node=${"n".repeat(129)}`, "node"],
    ["node=", "node"],
    ["node=all&after=1", "after"],
  ])("refuses the query %s naming the parameter", async (params, name) => {
    const kernel = await start();
    const { status, body } = await query(kernel, params);
    expect(status).toBe(400);
    const error = body.error as { code: string; message: string };
    expect(error.code).toBe("BUNTIME_ERR_LOGS_QUERY_INVALID");
    expect(error.message).toStartWith("invalid log query: ");
    expect(error.message).toContain(name);
  });

  it("refuses settings of the wrong type at start, naming the field", async () => {
    await expect(start({ capacity: "lots" })).rejects.toThrow(/plugins\["@buntime\/plugin-logs"\]\.capacity/);
  });

  it("serves its UI page at its base and redirects the bare base there", async () => {
    const kernel = await start();
    const page = await kernel.fetch("/logs/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toStartWith("text/html");
    expect(await page.text()).toContain('<script type="module" src="logs.js">');
    const script = await kernel.fetch("/logs/logs.js");
    expect(script.headers.get("content-type")).toStartWith("text/javascript");
    expect(await script.text()).toContain("api/tail");
    const bare = await kernel.fetch("/logs");
    expect(bare.status).toBe(301);
    expect(bare.headers.get("location")).toBe("/logs/");
    expect((await kernel.fetch("/logs/missing.js")).status).toBe(404);
    expect((await kernel.fetch("/logs/package.json")).status).toBe(404);
  });

  it("keeps lines that a follower logs while it is handed one, without looping", async () => {
    const echo: TestPlugin = {
      packageJson: {
        name: "echo",
        version: "1.0.0",
        buntime: { kernel: "^0.1.0", consumes: ["logs"], dependencies: { "@buntime/plugin-logs": "^0.1.0" } },
      },
      plugin: definePlugin({
        setup(ctx) {
          ctx.services
            .get("logs")
            .follow({ text: "ping" }, (entry) => ctx.logger.info(`echo: ${entry.message}`));
        },
      }),
    };
    const kernel = await start({}, [talker, echo]);
    await kernel.fetch("/talk/warn/ping");
    const lines = await entries(kernel, "q=ping&namespace=plugin");
    expect(lines.map((entry) => [entry.namespace, entry.message])).toEqual([
      ["plugin:talker", "ping"],
      ["plugin:echo", "echo: ping"],
      ["plugin:echo", "echo: GET /talk/warn/ping 200"],
    ]);
  });

  it("offers the logs service to other plugins", async () => {
    const reader: TestPlugin = {
      packageJson: {
        name: "reader",
        version: "1.0.0",
        buntime: {
          kernel: "^0.1.0",
          base: "/reader",
          consumes: ["logs"],
          dependencies: { "@buntime/plugin-logs": "^0.1.0" },
        },
      },
      plugin: definePlugin({
        setup(ctx) {
          const service = ctx.services.get("logs");
          return {
            fetch() {
              service.record({
                time: new Date().toISOString(),
                level: "warn",
                namespace: "reader",
                message: "noted",
              });
              return Response.json(
                service.query({ namespace: "reader" }).entries.map((entry) => entry.message),
              );
            },
          };
        },
      }),
    };
    const kernel = await start({}, [reader]);
    expect(await (await kernel.fetch("/reader")).json()).toEqual(["noted"]);
    expect((await entries(kernel, "level=warn&namespace=reader")).map((entry) => entry.message)).toEqual([
      "noted",
    ]);
  });
});
