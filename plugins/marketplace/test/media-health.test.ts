/**
 * The marketplace against a live registry and kernel: icons and screenshots on cards and the
 * detail page (relayed from the registry, typed by content), and upgrades and installs gated by
 * the plugin's declared health check, failing at the `health` step in the CLI's words.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Bench, jobEvents, startBench, TINY_PNG } from "./support.ts";

const JSON_HEADERS = { "content-type": "application/json" };

describe("icons, screenshots and health-gated changes in the marketplace", () => {
  let bench: Bench;
  const at = (path: string) => new URL(path, bench.url);
  const apply = async (body: unknown) => {
    const started = await fetch(at("/marketplace/api/apply"), {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify(body),
    });
    expect(started.status).toBe(202);
    return jobEvents(bench.url, ((await started.json()) as { events: string }).events);
  };
  const failedSteps = (events: { type: string; [key: string]: unknown }[]) =>
    events.filter((e) => e.type === "step" && e.state === "failed").map((e) => e.step);

  beforeAll(async () => {
    bench = await startBench();
    await bench.publish({
      name: "@acme/pics",
      version: "1.0.0",
      icon: TINY_PNG,
      screenshots: [
        { data: TINY_PNG, caption: "The <b>list</b>" },
        { data: TINY_PNG, caption: "" },
      ],
    });
    await bench.publish({ name: "@acme/plain", version: "1.0.0" });
    await bench.publish({ name: "@acme/gated", version: "1.0.0", health: "ok" });
  }, 30_000);
  afterAll(() => bench?.stop());

  it("shows the icon on the card, relayed as an image, and a neutral placeholder without one", async () => {
    const page = await (await fetch(at("/marketplace/?q=acme"))).text();
    const src = /<img class="icon small" src="([^"]+)"/.exec(page)?.[1] ?? "";
    expect(src).toMatch(/^\/marketplace\/media\/@acme\/pics\/1\.0\.0\/[0-9a-f]{16}\/icon$/);
    expect(page).toContain('<span class="icon small placeholder" aria-hidden="true">P</span>');
    const icon = await fetch(at(src));
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/png");
    expect(icon.headers.get("x-content-type-options")).toBe("nosniff");
    expect(icon.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(icon.headers.get("cache-control")).toContain("immutable");
    expect(new Uint8Array(await icon.arrayBuffer())).toEqual(TINY_PNG);
  });

  it("shows the screenshots on the detail page with their captions escaped", async () => {
    const page = await (await fetch(at("/marketplace/plugin/@acme/pics"))).text();
    const section = page.slice(
      page.indexOf('id="screenshots"'),
      page.indexOf("</section>", page.indexOf('id="screenshots"')),
    );
    expect(section.match(/<img /g)?.length).toBe(2);
    expect(section).toContain("<figcaption>The &lt;b&gt;list&lt;/b&gt;</figcaption>");
    expect(section).toContain('alt="Screenshot of @acme/pics"');
    const plain = await (await fetch(at("/marketplace/plugin/@acme/plain"))).text();
    expect(plain).not.toContain('id="screenshots"');
    expect(plain).toContain('class="icon large placeholder"');
  });

  it.each([
    "/marketplace/media/@acme/pics/1.0.0/0123456789abcdef/icon",
    "/marketplace/media/@acme/pics/1.0.0/0123456789abcdef/package.json",
    "/marketplace/media/@acme/pics/1.0.0/0123456789abcdef/..%2f..%2fpackage.json",
    "/marketplace/media/..%2f..%2f-%2fmarketplace%2fplugins",
    "/marketplace/media/@acme/pics",
  ])("answers 404 to %s and relays nothing else", async (path) => {
    const answer = await fetch(at(path));
    expect(answer.status).toBe(404);
    expect(answer.headers.get("content-type")).not.toStartWith("image/");
  });

  it("installs a plugin whose health check answers, and switches on an upgrade whose check answers", async () => {
    expect((await apply({ action: "install", name: "@acme/gated", version: "1.0.0" })).at(-1)).toMatchObject({
      type: "done",
    });
    await bench.publish({ name: "@acme/gated", version: "1.1.0", health: "ok" });
    expect((await apply({ action: "upgrade", name: "@acme/gated", version: "1.1.0" })).at(-1)).toMatchObject({
      type: "done",
    });
    expect(await (await fetch(at("/gated/x"))).text()).toBe("@acme/gated@1.1.0");
  }, 60_000);

  it.each([
    ["answers 503", "503" as const, "1.2.0", "it answered 503: database unreachable"],
    ["does not answer in time", "hang" as const, "1.3.0", "no answer within 500 ms"],
  ])(
    "keeps the old version serving when the new one's health check %s, failing at the health step",
    async (_label, health, version, reason) => {
      await bench.publish({ name: "@acme/gated", version, health });
      const events = await apply({ action: "upgrade", name: "@acme/gated", version });
      const failed = events.at(-1) as { type: string; message: string; code: string };
      expect(failed.type).toBe("failed");
      expect(failed.message).toStartWith("buntime plugin install: ");
      expect(failed.message).toContain(
        `@acme/gated@${version} failed its health check (GET /gated/health): ${reason} [BUNTIME_ERR_PLUGIN_HEALTH_FAILED]`,
      );
      expect(failed.code).toBe("BUNTIME_ERR_INSTALL_KERNEL_REFUSED");
      expect(failedSteps(events)).toEqual(["health"]);
      expect(events.filter((e) => e.type === "step" && e.state === "done").map((e) => e.step)).toContain(
        "load",
      );
      expect(await (await fetch(at("/gated/x"))).text()).toBe("@acme/gated@1.1.0");
    },
    60_000,
  );

  it("refuses a first install whose health check fails: nothing installed, nothing running", async () => {
    await bench.publish({ name: "@acme/broken", version: "1.0.0", health: "503" });
    const events = await apply({ action: "install", name: "@acme/broken", version: "1.0.0" });
    expect(events.at(-1)).toMatchObject({ type: "failed" });
    expect(failedSteps(events)).toEqual(["health"]);
    expect((await fetch(at("/broken/x"))).status).toBe(404);
    const lock = join(bench.dir, "home", "lock.json");
    expect(existsSync(lock) ? readFileSync(lock, "utf8") : "").not.toContain("@acme/broken");
    expect(existsSync(join(bench.dir, "home", "plugins", "@acme", "broken"))).toBe(false);
  }, 60_000);
});
