import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClusterStore, type ClusterSupply, createKernel, type Kernel } from "@buntime/kernel";
import { launchTestBrowser } from "@buntime/test-kit/browser";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import type { Browser, Page } from "playwright-core";
import { noChromium, SHELL_DIR } from "./support.ts";

/** What node-b answers when it fetches the plugin: markup and all, which the page must show as text. */
const REASON = '<img src=x onerror="window.pwned=1"> no GPU on node-b';
const PLUGIN = "@e2e/gpu";
/** The plugin's "tarball": the test's supply unpacks it by writing the folder itself. */
const BYTES = new TextEncoder().encode(`${PLUGIN}@1.0.0`);
const INTEGRITY = `sha512-${new Bun.CryptoHasher("sha512").update(BYTES).digest("base64")}`;

/** A supply that hands out the plugin (node-a), or fails with `REASON` (node-b). */
function supply(fails: boolean): ClusterSupply {
  return {
    source: "the test",
    fetchTarball: async () => {
      if (fails) throw new Error(REASON);
      return BYTES;
    },
    unpack(_bytes, dest) {
      mkdirSync(dest, { recursive: true });
      const manifest = { kernel: "^0.1.0", base: "/gpu" };
      writeFileSync(
        join(dest, "package.json"),
        JSON.stringify({
          name: PLUGIN,
          version: "1.0.0",
          type: "module",
          main: "index.js",
          buntime: manifest,
        }),
      );
      writeFileSync(
        join(dest, "index.js"),
        'export default { setup: () => ({ fetch: () => new Response("gpu") }) };\n',
      );
    },
  };
}

// at the top level: the helper stops the server after the file (not after a beforeAll)
const postgres = noChromium ? undefined : await startTestPostgres();

describe.skipIf(noChromium)("the Cluster page on a real two-node cluster", () => {
  const kernels: Kernel[] = [];
  const homes: string[] = [];
  let browser: Browser;
  let a: URL;
  let b: URL;

  async function node(name: string, fails: boolean, postgres: string): Promise<URL> {
    const home = mkdtempSync(join(tmpdir(), `shell-cluster-${name}-`));
    homes.push(home);
    const kernel = createKernel({
      config: {
        port: 0,
        hostname: "127.0.0.1",
        home,
        cluster: { node: name, postgres, reconcileInterval: 500 },
      },
      plugins: [SHELL_DIR],
      clusterSupply: supply(fails),
      logSink: () => {},
    });
    kernels.push(kernel);
    await kernel.start();
    return kernel.listen();
  }

  beforeAll(async () => {
    if (!postgres) throw new Error("no PostgreSQL");
    a = await node("node-a", false, postgres.url);
    b = await node("node-b", true, postgres.url);
    // an install, as `buntime plugin install` through node-a publishes it: one new generation
    const store = new ClusterStore(postgres.url);
    await store.publish(
      {
        set: { [PLUGIN]: { version: "1.0.0", integrity: INTEGRITY } },
        removed: [],
        bases: { [PLUGIN]: "/gpu" },
      },
      "node-a",
    );
    await store.close();
    browser = await launchTestBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const kernel of kernels) await kernel.stop();
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  /** Waits for `check` in the page; on a timeout the error says what the page showed. */
  async function waitFor(page: Page, check: () => boolean): Promise<void> {
    try {
      await page.waitForFunction(check, undefined, { timeout: 20_000 });
    } catch (error) {
      throw new Error(`${error}; the page showed: ${await page.locator("main").textContent()}`);
    }
  }

  async function row(page: Page, name: string) {
    const cells = page.locator(`#cluster-nodes tr[data-node="${name}"] td`);
    return {
      name: await cells.nth(0).textContent(),
      version: await cells.nth(1).textContent(),
      generation: await cells.nth(2).textContent(),
      reconcile: await cells.nth(3).textContent(),
      state: await cells.nth(4).textContent(),
      plugins: await cells.nth(5).textContent(),
    };
  }

  it("shows every node, its generation, last reconcile and the plugin degraded on node-b with its reason as text", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(new URL("/", b).href);
    // on a cluster node the menu has the page; a click opens it in the shell
    await page.locator('#menu a[data-kind="shell"]', { hasText: "Cluster" }).click();
    expect(new URL(page.url()).pathname).toBe("/shell/cluster");
    // the page reads the view again every 5 s: it shows both nodes on generation 1 once they converged
    await page.waitForFunction(
      () =>
        document.querySelectorAll("#cluster-nodes tr[data-node]").length === 2 &&
        [...document.querySelectorAll("#cluster-nodes td.generation")].every(
          (td) => td.textContent === "1 of 1",
        ),
      undefined,
      { timeout: 20_000 },
    );
    const nodeA = await row(page, "node-a");
    const nodeB = await row(page, "node-b");
    expect(nodeA).toMatchObject({ name: "node-a", generation: "1 of 1", state: "ready", plugins: "none" });
    expect(nodeB).toMatchObject({ name: "node-b (this node)", generation: "1 of 1", state: "degraded" });
    expect(nodeA.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(nodeB.reconcile).toMatch(/^\d+ s ago$/);
    expect(nodeB.plugins).toContain(`${PLUGIN}: `);
    expect(nodeB.plugins).toContain(REASON); // the markup is text: no image, no script ran
    expect(await page.locator("#cluster-view img").count()).toBe(0);
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator("#cluster-summary").textContent()).toBe(
      "2 nodes on generation 1; all caught up; 1 with degraded plugins.",
    );
    expect(await page.locator("#cluster-self").textContent()).toContain("This node, node-b, is ready");
    expect(await page.locator('#menu a[aria-current="page"]').textContent()).toBe("Cluster");
    expect(errors).toEqual([]);
    // SHELL_SCREENSHOTS=1 retakes docs/scale-out.md's picture of this page
    if (process.env.SHELL_SCREENSHOTS)
      await page.screenshot({
        path: join(import.meta.dir, "..", "..", "docs", "images", "shell-cluster.png"),
      });
    await page.close();
  }, 40_000);

  it("follows the cluster while open: a node that stops reporting falls behind the next generation", async () => {
    const page = await browser.newPage();
    await page.goto(new URL("/shell/cluster", a).href);
    await waitFor(page, () => document.querySelector('#cluster-nodes tr[data-node="node-b"]') !== null);
    await kernels[1]?.stop(); // node-b
    const store = new ClusterStore(postgres?.url ?? "");
    await store.publish({ set: {}, removed: [PLUGIN] }, "node-a");
    await store.close();
    await page.waitForFunction(
      () =>
        document.querySelector('#cluster-nodes tr[data-node="node-b"] td.state')?.textContent === "behind",
      undefined,
      { timeout: 20_000 },
    );
    expect(await row(page, "node-b")).toMatchObject({ generation: "1 of 2", state: "behind" });
    expect(await row(page, "node-a")).toMatchObject({ generation: "2 of 2", state: "ready" });
    expect(await page.locator("#cluster-summary").textContent()).toContain("1 behind");
    await page.close();
  }, 40_000);
});

describe.skipIf(noChromium)("the Cluster page when the cluster cannot be read", () => {
  it("keeps the page up and says why: the node cannot reach the cluster's PostgreSQL", async () => {
    const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const closed = listener.port;
    listener.stop(true);
    const home = mkdtempSync(join(tmpdir(), "shell-cluster-down-"));
    const kernel = createKernel({
      config: {
        port: 0,
        hostname: "127.0.0.1",
        home,
        cluster: {
          node: "lonely",
          postgres: `postgres://postgres@127.0.0.1:${closed}/x`,
          reconcileInterval: 60_000,
        },
      },
      plugins: [SHELL_DIR],
      clusterSupply: supply(false),
      logSink: () => {},
    });
    await kernel.start();
    const browser = await launchTestBrowser();
    try {
      const data = await fetch(new URL("/shell/api/cluster", await kernel.listen()));
      expect(data.status).toBe(503);
      expect((await data.json()).error.code).toBe("BUNTIME_ERR_CLUSTER_UNREACHABLE");
      const page = await browser.newPage();
      await page.goto(new URL("/", kernel.url).href);
      await page.locator("#menu a", { hasText: "Cluster" }).click(); // a cluster node: the entry is there
      await page.waitForSelector("#cluster-updated.error");
      expect(await page.locator("#cluster-updated").textContent()).toStartWith(
        "Could not read the cluster (the shell answered 503: cannot read the cluster's nodes from PostgreSQL: ",
      );
    } finally {
      await browser.close();
      await kernel.stop();
      rmSync(home, { recursive: true, force: true });
    }
  }, 30_000);
});

describe.skipIf(noChromium)("the Cluster page on a single kernel", () => {
  it("says the kernel is not in a cluster, and the menu has no Cluster entry", async () => {
    const { createTestKernel } = await import("@buntime/kernel/testing");
    const kernel = await createTestKernel({ plugins: [SHELL_DIR], listen: true });
    const browser = await launchTestBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(new URL("/shell/cluster", kernel.url).href);
      await page.waitForSelector("#cluster-none");
      expect(await page.locator("#cluster-none").textContent()).toStartWith(
        "This kernel is not in a cluster: it runs as a single node.",
      );
      expect(await page.locator("#menu a", { hasText: "Cluster" }).count()).toBe(0);
      expect(await page.locator("#menu a", { hasText: "API" }).count()).toBe(1);
    } finally {
      await browser.close();
      await kernel.stop();
    }
  }, 30_000);
});
