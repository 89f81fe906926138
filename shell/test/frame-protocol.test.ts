import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { TestKernel } from "@buntime/kernel/testing";
import { launchTestBrowser } from "@buntime/test-kit/browser";
import type { Browser, Frame, Page } from "playwright-core";
import { noChromium, startShellKernel } from "./support.ts";

describe.skipIf(noChromium)("the frame protocol in a real browser", () => {
  let kernel: TestKernel;
  let url: URL;
  let browser: Browser;

  beforeAll(async () => {
    kernel = await startShellKernel();
    url = kernel.url as URL;
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await kernel?.stop();
  });

  async function openHost(query = ""): Promise<{ page: Page; child: Frame; errors: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(new URL(`/t/host${query}`, url).href);
    await page.waitForFunction(
      () => (window as never as { seen: { name: string }[] }).seen?.some((e) => e.name === "ready"),
      null,
      { timeout: 10000 },
    );
    const child = page.frames().find((frame) => frame.url().includes("/t/child")) as Frame;
    return { page, child, errors };
  }

  it("serves the bundle and its typings", async () => {
    const js = await fetch(new URL("/shell/frame.js", url));
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("javascript");
    const etag = js.headers.get("etag") as string;
    expect(
      (await fetch(new URL("/shell/frame.js", url), { headers: { "if-none-match": etag } })).status,
    ).toBe(304);
    const types = await (await fetch(new URL("/shell/frame.d.ts", url))).text();
    expect(types).toContain("export interface FrameSDK");
    expect((await fetch(new URL("/shell/nothing.js", url))).status).toBe(404);
  });

  it("hands over a port in INIT, answers READY and keeps props live", async () => {
    const { page, child, errors } = await openHost();
    expect(await child.locator("#state").textContent()).toBe("ready");
    const props = await child.evaluate(() => window.frameSDK.props);
    expect(props).toMatchObject({
      pathname: "/start",
      theme: "dark",
      user: { name: "ada" },
      src: "/t/child",
    });
    expect(await child.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");

    await page.evaluate(() => {
      const frame = document.querySelector("z-frame") as HTMLElement & Record<string, unknown>;
      frame.setAttribute("locale", "pt-BR");
      frame.count = 7;
    });
    await child.waitForFunction(() => window.frameSDK.props.count === 7);
    expect(await child.evaluate(() => window.frameSDK.props.locale)).toBe("pt-BR");
    expect(await child.evaluate(() => document.documentElement.lang)).toBe("pt-BR");
    const changes = await child.evaluate(() => (window as never as { changes: string[][] }).changes.flat());
    expect(changes).toEqual(expect.arrayContaining(["locale", "count"]));
    expect(errors).toEqual([]);
    await page.close();
  }, 30000);

  it("updates pathname in place, and recreates the frame when src changes", async () => {
    const { page, child } = await openHost();
    await child.evaluate(() => Object.assign(window, { marker: "same document" }));
    await page.evaluate(() => document.querySelector("z-frame")?.setAttribute("pathname", "/elsewhere"));
    await child.waitForFunction(() => window.frameSDK.props.pathname === "/elsewhere");
    expect(await child.evaluate(() => (window as never as { marker?: string }).marker)).toBe("same document");
    expect(await child.evaluate(() => (window as never as { routes: string[] }).routes)).toEqual([
      "/elsewhere",
    ]);
    expect(await child.evaluate(() => location.pathname)).toBe("/t/child/elsewhere");
    const readies = () =>
      page.evaluate(
        () => (window as never as { seen: { name: string }[] }).seen.filter((e) => e.name === "ready").length,
      );
    expect(await readies()).toBe(1);
    await page.evaluate(() => document.querySelector("z-frame")?.setAttribute("src", "/t/child?again"));
    await page.waitForFunction(
      () =>
        (window as never as { seen: { name: string }[] }).seen.filter((e) => e.name === "ready").length === 2,
    );
    const fresh = page.frames().find((frame) => frame.url().includes("/t/child?again")) as Frame;
    expect(await fresh.evaluate(() => (window as never as { marker?: string }).marker)).toBeUndefined();
    expect(await fresh.evaluate(() => window.frameSDK.props.pathname)).toBe("/elsewhere");
    await page.close();
  }, 30000);

  it("carries events both ways, replaying those sent before a listener", async () => {
    const { page, child } = await openHost();
    // the child emitted `saved` before INIT: it was held and delivered after READY
    const seen = await page.evaluate(
      () => (window as never as { seen: { name: string; detail: unknown }[] }).seen,
    );
    expect(seen.find((event) => event.name === "saved")?.detail).toEqual({ id: 3 });
    await page.evaluate(() =>
      (document.querySelector("z-frame") as never as { emit(n: string, d: unknown): void }).emit("hello", {
        x: 1,
      }),
    );
    await child.waitForFunction(() => (window as never as { got: unknown[] }).got.length === 1, null, {
      timeout: 5000,
    });
    expect(await child.evaluate(() => (window as never as { got: unknown[] }).got)).toEqual([{ x: 1 }]);
    await expect(
      page.evaluate(() =>
        (document.querySelector("z-frame") as never as { emit(n: string): void }).emit("bad name"),
      ),
    ).rejects.toThrow("invalid event name");
    await page.close();
  }, 30000);

  it("calls functions both ways, with errors, timeouts and release", async () => {
    const { page, child } = await openHost();
    const results = await page.evaluate(async () => {
      const frame = document.querySelector("z-frame") as never as Record<
        string,
        (...args: unknown[]) => Promise<unknown>
      >;
      const settle = (promise: Promise<unknown>) =>
        promise.then(
          (value) => ({ value }),
          (error: Error) => ({ error: error.message }),
        );
      return {
        add: await settle(frame.add?.(2, 3) as Promise<unknown>),
        fail: await settle(frame.fail?.() as Promise<unknown>),
        missing: await settle(frame.missing?.() as Promise<unknown>),
      };
    });
    expect(results.add).toEqual({ value: 5 });
    expect(results.fail).toEqual({ error: "boom" });
    expect(results.missing).toEqual({ error: "Function 'missing' not registered by child frame" });

    const started = Date.now();
    const slow = await page.evaluate(() =>
      (document.querySelector("z-frame") as never as { slow(): Promise<unknown> })
        .slow()
        .catch((error: Error) => error.message),
    );
    expect(slow).toBe("call to 'slow' timed out after 5000 ms");
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900);

    const fromChild = await child.evaluate(async () => {
      const getTime = window.frameSDK.props.getTime as () => Promise<number>;
      const before = await getTime();
      window.frameSDK.release(getTime);
      const after = await getTime().catch((error: Error) => error.message);
      return { before, after };
    });
    expect(fromChild).toEqual({ before: 42, after: "function not found (released, or never shared)" });
    await page.close();
  }, 30000);

  it("sizes an auto-height frame to its content, clamped to max-height", async () => {
    const { page, child } = await openHost("?autoHeight");
    const height = () =>
      page.evaluate(() => (document.querySelector("z-frame") as HTMLElement).getBoundingClientRect().height);
    await page.waitForFunction(() => (document.querySelector("z-frame") as HTMLElement).style.height !== "");
    const first = await height();
    expect(first).toBeGreaterThan(20);
    expect(first).toBeLessThan(300);
    await child.evaluate(() => {
      const tall = document.createElement("div");
      tall.style.height = "1000px";
      document.body.append(tall);
    });
    await page.waitForFunction(
      () => (document.querySelector("z-frame") as HTMLElement).style.height === "300px",
    );
    expect(await height()).toBe(300);
    await page.close();
  }, 30000);

  it("reports a frame that stops answering pings as unresponsive", async () => {
    const { page, child } = await openHost("?ping=200");
    await Bun.sleep(700); // pings answered meanwhile
    const seen = () =>
      page.evaluate(() => (window as never as { seen: { name: string; detail: unknown }[] }).seen);
    expect((await seen()).some((event) => event.name === "unresponsive")).toBe(false);
    await child.evaluate(() => window.frameSDK.cleanup()); // the frame hangs up
    await page.waitForFunction(() =>
      (window as never as { seen: { name: string }[] }).seen.some((e) => e.name === "unresponsive"),
    );
    expect((await seen()).find((event) => event.name === "unresponsive")?.detail).toEqual({
      reason: "ping-timeout",
      message: "the frame stopped answering",
    });
    await page.close();
  }, 30000);

  it("shakes hands across origins when the frame expects its host's origin", async () => {
    const other = `http://localhost:${url.port}`;
    // the frame's address is src + pathname: the expected origin travels in the pathname's query
    const pathname = `/?expect=${encodeURIComponent(url.origin)}`;
    const { page, child } = await openHost(
      `?src=${encodeURIComponent(`${other}/t/child`)}&pathname=${encodeURIComponent(pathname)}`,
    );
    expect(new URL(child.url()).origin).toBe(other);
    expect(await child.locator("#state").textContent()).toBe("ready");
    const sum = await page.evaluate(() =>
      (document.querySelector("z-frame") as never as { add(a: number, b: number): Promise<number> }).add(
        20,
        22,
      ),
    );
    expect(sum).toBe(42);
    await page.close();
  }, 30000);

  it("drops an INIT from an origin the frame does not expect", async () => {
    const page = await browser.newPage();
    await page.goto(
      new URL(
        `/t/host?initTimeout=1000&pathname=${encodeURIComponent("/?expect=http://elsewhere.invalid")}`,
        url,
      ).href,
    );
    await page.waitForFunction(
      () => (window as never as { seen: { name: string }[] }).seen.some((e) => e.name === "unresponsive"),
      null,
      { timeout: 10000 },
    );
    const child = page.frames().find((frame) => frame.url().includes("/t/child")) as Frame;
    await child.locator("#state", { hasText: "standalone" }).waitFor({ timeout: 10000 });
    expect(await child.evaluate(() => window.frameSDK.isInitialized)).toBe(false);
    const seen = await page.evaluate(() =>
      (window as never as { seen: { name: string }[] }).seen.map((e) => e.name),
    );
    expect(seen).not.toContain("ready");
    await page.close();
  }, 30000);

  it("drops malformed messages from a child before any handler sees them", async () => {
    const page = await browser.newPage();
    await page.goto(new URL(`/t/host?src=${encodeURIComponent("/t/hostile-child")}`, url).href);
    await page.waitForFunction(
      () => (window as never as { seen: { name: string }[] }).seen.some((e) => e.name === "ok"),
      null,
      { timeout: 10000 },
    );
    await Bun.sleep(200);
    const ok = await page.evaluate(() =>
      (window as never as { seen: { name: string; detail: unknown }[] }).seen
        .filter((e) => e.name === "ok")
        .map((e) => e.detail),
    );
    expect(ok).toEqual([2]);
    await page.close();
  }, 30000);

  it("drops malformed messages from a host, and no payload reaches a prototype", async () => {
    const page = await browser.newPage();
    await page.goto(new URL("/t/hostile-host", url).href);
    const child = page.frameLocator("#child");
    await child.locator("#state", { hasText: "ready" }).waitFor({ timeout: 10000 });
    const frame = page.frames().find((f) => f.url().includes("/t/child")) as Frame;
    await frame.waitForFunction(() => (window as never as { got: unknown[] }).got.length > 0, null, {
      timeout: 5000,
    });
    await Bun.sleep(200);
    expect(await frame.evaluate(() => (window as never as { got: unknown[] }).got)).toEqual([2]);
    expect(
      await frame.evaluate(
        () => (({}) as Record<string, unknown>).polluted ?? Object.keys(window.frameSDK.props),
      ),
    ).toEqual(["pathname"]);
    await page.close();
  }, 30000);
});
