import { describe, expect, it } from "bun:test";
import { inlinePlugin, startTestKernel, withHooks } from "./support/kernel-fixture.ts";

const plugins = [
  inlinePlugin("app", { base: "/" }, withHooks({ fetch: (req) => new Response(`handled ${req.method}`) })),
];

interface CsrfCase {
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  status: number;
}

describe("CSRF check on state-changing API requests", () => {
  it.each<CsrfCase>([
    {
      label: "POST /api/items with origin: https://evil.example",
      method: "POST",
      path: "/api/items",
      headers: { origin: "https://evil.example" },
      status: 403,
    },
    {
      label: "DELETE /notes/api/1 with origin: https://evil.example",
      method: "DELETE",
      path: "/notes/api/1",
      headers: { origin: "https://evil.example" },
      status: 403,
    },
    {
      label: "PUT /api/items with sec-fetch-site: cross-site",
      method: "PUT",
      path: "/api/items",
      headers: { "sec-fetch-site": "cross-site" },
      status: 403,
    },
    {
      label: "POST /api/items with origin: http://127.0.0.1",
      method: "POST",
      path: "/api/items",
      headers: { origin: "http://127.0.0.1" },
      status: 200,
    },
    {
      label: "POST /api/items with origin: https://trusted.example",
      method: "POST",
      path: "/api/items",
      headers: { origin: "https://trusted.example" },
      status: 200,
    },
    {
      label: "POST /api/items with sec-fetch-site: same-origin",
      method: "POST",
      path: "/api/items",
      headers: { "sec-fetch-site": "same-origin" },
      status: 200,
    },
    {
      label: "POST /api/items with no origin headers",
      method: "POST",
      path: "/api/items",
      headers: {},
      status: 200,
    },
    {
      label: "GET /api/items with origin: https://evil.example",
      method: "GET",
      path: "/api/items",
      headers: { origin: "https://evil.example" },
      status: 200,
    },
    {
      label: "POST /form with origin: https://evil.example",
      method: "POST",
      path: "/form",
      headers: { origin: "https://evil.example" },
      status: 200,
    },
  ])("$label → $status", async ({ method, path, headers, status }) => {
    const { request } = await startTestKernel({
      config: { trustedOrigins: ["https://trusted.example"] },
      plugins,
    });
    const res = await request(path, { method, headers });
    expect(res.status).toBe(status);
    if (status === 403) {
      expect((await res.json()).error.code).toBe("BUNTIME_ERR_CSRF_REJECTED");
    } else {
      expect(await res.text()).toBe(`handled ${method}`);
    }
  });

  it("checks before onRequest hooks run", async () => {
    let hookRan = false;
    const { request } = await startTestKernel({
      plugins: [
        ...plugins,
        inlinePlugin(
          "spy",
          {},
          withHooks({
            onRequest: () => {
              hookRan = true;
            },
          }),
        ),
      ],
    });
    const res = await request("/_/api/plugins", {
      method: "POST",
      headers: { origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
    expect(hookRan).toBe(false);
  });

  it("lets a cross-site write through when a plugin vouches for its origin (kernel:origins), until that plugin unloads", async () => {
    const voucher = inlinePlugin(
      "voucher",
      { consumes: ["kernel:origins"] },
      {
        setup(ctx) {
          ctx.services
            .get("kernel:origins")
            .vouch((origin, path) => origin === "https://shop.example" && path === "/api/items");
        },
      },
    );
    const { kernel, request } = await startTestKernel({ plugins: [...plugins, voucher] });
    const write = (origin: string, path = "/api/items") =>
      request(path, { method: "POST", headers: { origin } }).then((res) => res.status);
    expect(await write("https://shop.example")).toBe(200);
    expect(await write("https://shop.example", "/api/other")).toBe(403);
    expect(await write("https://evil.example")).toBe(403);
    await kernel.unload("voucher");
    expect(await write("https://shop.example")).toBe(403);
  });
});
