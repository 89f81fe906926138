import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import router from "@buntime/plugin-router";
import routerPackage from "@buntime/plugin-router/package.json" with { type: "json" };
import storage from "@buntime/plugin-storage";
import { isolationTiers } from "@buntime/test-kit/system";
import storagePackage from "../package.json" with { type: "json" };

/** An app that keeps a counter in its own storage namespace, through BUNTIME_URL and its token. */
const COUNTER_APP = `
const kv = (path, init = {}) =>
  fetch(process.env.BUNTIME_URL.replace(/\\/$/, "") + "/storage/api" + path, {
    ...init,
    headers: { authorization: "Bearer " + process.env.BUNTIME_APP_TOKEN, ...init.headers },
  });
export default {
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/forged") {
      const res = await fetch(process.env.BUNTIME_URL.replace(/\\/$/, "") + "/storage/api/keys/count", {
        headers: { authorization: "Bearer other." + process.env.BUNTIME_APP_TOKEN.split(".")[1] },
      });
      return new Response(String(res.status));
    }
    const current = await kv("/keys/count");
    const entry = current.status === 200 ? await current.json() : { value: 0 };
    const put = await kv("/keys/count", {
      method: "PUT",
      body: JSON.stringify(entry.value + 1),
      headers: entry.version ? { "if-match": '"' + entry.version + '"' } : { "if-none-match": "*" },
    });
    return Response.json({ app: process.env.BUNTIME_APP, count: entry.value + 1, status: put.status });
  },
};
`;

/** The app example of docs/plugins/storage.md, the block that starts with `// apps/notes/index.ts`. */
function docsExample(): string {
  const page = readFileSync(join(import.meta.dir, "..", "..", "..", "docs", "plugins", "storage.md"), "utf8");
  return /```ts\n(\/\/ apps\/notes\/index\.ts\n[\s\S]*?)```/.exec(page)?.[1] ?? "";
}

// the same storage contract whether an app runs in a thread or in a sandbox, which reaches the
// kernel only through its egress proxy (BUNTIME_URL is always let through)
describe.each(isolationTiers())("apps in the %s tier with the router's apps service", (tier) => {
  // Apps need BUNTIME_URL: a listening kernel it is.
  let kernel: TestKernel;
  let base: URL;
  const home = mkdtempSync(join(tmpdir(), "buntime-storage-e2e-"));
  chmodSync(home, 0o755); // a sandbox's own user must reach the apps' folders
  beforeAll(async () => {
    // Every app is in place before the kernel starts: an app added later waits for the router's
    // file watcher to notice it.
    for (const [app, source] of [
      ["alpha", COUNTER_APP],
      ["beta", COUNTER_APP],
      ["notes", docsExample()],
    ] as const) {
      mkdirSync(join(home, "apps", app), { recursive: true });
      writeFileSync(join(home, "apps", app, "index.ts"), source);
    }
    kernel = await createTestKernel({
      config: { home, isolation: { minimum: tier } },
      plugins: [
        { packageJson: routerPackage, plugin: router },
        { packageJson: storagePackage, plugin: storage },
      ],
      listen: true,
    });
    if (!kernel.url) throw new Error("the test kernel does not listen");
    base = kernel.url;
  });
  afterAll(async () => {
    await kernel.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("reach their own namespace with BUNTIME_APP_TOKEN and only theirs", async () => {
    const visit = async (app: string) => (await fetch(new URL(`/${app}/`, base))).json();
    expect(await visit("alpha")).toEqual({ app: "alpha", count: 1, status: 200 });
    expect(await visit("alpha")).toEqual({ app: "alpha", count: 2, status: 200 });
    expect(await visit("beta")).toEqual({ app: "beta", count: 1, status: 200 });
    const keyval = kernel.service("keyval");
    expect((await keyval.namespace("app").namespace("alpha").get("count"))?.value).toBe(2);
    expect((await keyval.namespace("app").namespace("beta").get("count"))?.value).toBe(1);
  });

  it("runs the app example of docs/plugins/storage.md as written", async () => {
    expect(docsExample()).toContain("BUNTIME_APP_TOKEN");
    const before = new Date().toISOString();
    const response = await fetch(new URL("/notes/", base));
    expect(response.status).toBe(200);
    const entry = (await response.json()) as { key: string; value: string };
    expect(entry.key).toBe("visits/last");
    expect(entry.value >= before).toBe(true);
  });

  it("refuses a token forged from another app's signature", async () => {
    expect(await (await fetch(new URL("/alpha/forged", base))).text()).toBe("401");
  });

  it("runs the apps in the tier asked for", async () => {
    const pool = (await (await fetch(new URL("/_/api/pool", base))).json()) as {
      apps: Record<string, { isolation: string }>;
    };
    expect(pool.apps["alpha@0.0.0"]?.isolation).toBe(tier);
  });
});
