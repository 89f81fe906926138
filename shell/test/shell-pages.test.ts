import { afterEach, describe, expect, it } from "bun:test";
import { createTestKernel, type TestKernel, type TestPlugin } from "@buntime/kernel/testing";
import { signedOutAuthAt } from "@buntime/test-kit/signed-out-auth";
import { SHELL_DIR } from "./support.ts";

const kernels: TestKernel[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
});

async function start(plugins: TestPlugin[] = []): Promise<TestKernel> {
  const kernel = await createTestKernel({ plugins: [SHELL_DIR, ...plugins] });
  kernels.push(kernel);
  return kernel;
}

describe("the shell's own pages", () => {
  it("lists API in the menu, and Cluster only on a cluster node (a single kernel is none)", async () => {
    const kernel = await start();
    const { menu } = (await (await kernel.fetch("/shell/api/catalog")).json()) as {
      menu: { label: string; path: string; owner: string; kind: string }[];
    };
    expect(menu.filter((entry) => entry.kind === "shell")).toEqual([
      { label: "API", path: "/shell/api-reference", owner: "@buntime/shell", kind: "shell" },
    ]);
    const view = await kernel.fetch("/shell/api/cluster");
    expect(view.status).toBe(200);
    expect(view.headers.get("cache-control")).toBe("no-store");
    expect(await view.json()).toEqual({ cluster: false });
  });

  it("serves each page whole, its section in the HTML and its menu link current", async () => {
    const kernel = await start();
    const cluster = await kernel.fetch("/shell/cluster");
    expect(cluster.status).toBe(200);
    const body = await cluster.text();
    expect(body).toContain('<section class="cluster" id="cluster-view"');
    expect(body).toContain("<title>Cluster · Buntime</title>");
    const api = await (await kernel.fetch("/shell/api-reference")).text();
    expect(api).toContain('id="api-reference"');
    expect(api).toMatch(
      /<a href="\/shell\/api-reference" data-shell-link data-kind="shell" aria-current="page">API<\/a>/,
    );
    const head = await kernel.fetch("/shell/cluster", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("keeps the pages and the cluster view from signed-out users when sign-in guards the shell", async () => {
    const kernel = await start([signedOutAuthAt("/auth")]);
    const data = await kernel.fetch("/shell/api/cluster");
    expect(data.status).toBe(401);
    expect((await data.json()).error.code).toBe("BUNTIME_ERR_AUTH_REQUIRED");
    const page = await kernel.fetch("/shell/cluster");
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/auth/login?next=%2Fshell%2Fcluster");
  });

  it("describes its API in the kernel's OpenAPI document, under its own tag", async () => {
    const kernel = await start();
    const doc = (await (await kernel.fetch("/_/api/openapi.json")).json()) as {
      paths: Record<
        string,
        Record<string, { tags?: string[]; summary?: string; responses?: Record<string, unknown> }>
      >;
    };
    const cluster = doc.paths["/shell/api/cluster"]?.get;
    expect(cluster?.tags).toEqual(["@buntime/shell"]);
    expect(Object.keys(cluster?.responses ?? {}).sort()).toEqual(["200", "401", "403", "503"]);
    expect(doc.paths["/shell/api/timings"]?.post?.summary).toBe("Reports how fast frames answered a shell");
    for (const path of ["/shell/api/catalog", "/shell/api/home", "/shell/api/events"])
      expect(doc.paths[path]?.get).toBeDefined();
  });
});
