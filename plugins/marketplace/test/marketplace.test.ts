import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Bench, HOSTILE_README, jobEvents, startBench } from "./support.ts";

const JSON_HEADERS = { "content-type": "application/json" };

describe("the marketplace against a live registry and kernel", () => {
  let bench: Bench;
  const at = (path: string) => new URL(path, bench.url);
  const apply = (body: unknown) =>
    fetch(at("/marketplace/api/apply"), {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    bench = await startBench();
    await bench.publish({
      name: "@acme/hello",
      version: "1.0.0",
      permissions: { network: ["api.acme.test"] },
      keywords: ["greeting"],
    });
    await bench.publish({ name: "@acme/evil", version: "0.1.0", readme: HOSTILE_README });
  }, 30_000);
  afterAll(() => bench?.stop());

  it("lists cards with name, summary, version, downloads, publisher, last release, signature and permission count", async () => {
    expect((await fetch(at("/marketplace"))).status).toBe(200);
    const response = await fetch(at("/marketplace/?q=hello"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    const page = await response.text();
    expect(page).toContain('data-name="@acme/hello"');
    expect(page).toContain("the hello plugin");
    expect(page).toContain('<dd class="permission-count">1</dd>');
    expect(page).toContain('<dd class="signature registry-signed">registry-signed</dd>');
    expect(page).not.toContain('data-name="@acme/evil"');
  });

  it("renders a hostile readme as text: no script, no handler, no javascript: link", async () => {
    const page = await (await fetch(at("/marketplace/plugin/@acme/evil"))).text();
    const readme = page.slice(page.indexOf('id="readme"'), page.indexOf("</article>"));
    expect(readme).not.toMatch(/<script|<img[^>]*onerror|<iframe|(href|src)="javascript:/i);
    expect(readme).toContain("&lt;script&gt;");
    expect(readme).toContain("<strong>Bold</strong>");
    expect(readme).toContain(
      'href="https://example.com/docs" target="_blank" rel="noopener noreferrer nofollow"',
    );
  });

  it("shows permissions in plain words, kernel compatibility and trust evidence", async () => {
    const page = await (await fetch(at("/marketplace/plugin/@acme/hello"))).text();
    expect(page).toContain("Connect to api.acme.test over the network");
    expect(page).toContain("Needs kernel ^0.1.0; this one is 0.1.0: compatible.");
    expect(page).toContain("Registry signature verified (key SHA256:");
    expect(page).toContain("Not signed by its publisher");
    expect(page).toContain('data-action="install"');
  });

  it("answers 404 for a plugin the registry does not have", async () => {
    expect((await fetch(at("/marketplace/plugin/@acme/nope"))).status).toBe(404);
  });

  it("plans, installs with live progress, then upgrades only with consent to wider permissions", async () => {
    const plan = await (await fetch(at("/marketplace/api/plan?action=install&name=@acme/hello"))).json();
    expect(plan).toMatchObject({
      action: "install",
      kernel: "0.1.0",
      policy: "registry",
      needsConsent: false,
      steps: [
        {
          name: "@acme/hello",
          change: "add",
          version: "1.0.0",
          permissions: ["Connect to api.acme.test over the network"],
          signatures: { registry: true, publisher: null },
        },
      ],
    });
    const started = await apply({ action: "install", name: "@acme/hello", version: "1.0.0" });
    expect(started.status).toBe(202);
    const { events } = (await started.json()) as { events: string };
    const seen = await jobEvents(bench.url, events);
    expect(seen.at(-1)).toMatchObject({ type: "done" });
    const done = seen.filter((e) => e.type === "step" && e.state === "done").map((e) => e.step);
    expect(done).toEqual(["resolve", "download", "verify", "load", "health", "switched"]);
    expect(await (await fetch(at("/hello/x"))).text()).toBe("@acme/hello@1.0.0");

    await bench.publish({
      name: "@acme/hello",
      version: "1.1.0",
      permissions: { network: ["api.acme.test"], env: ["HELLO_KEY"] },
    });
    const upgrade = await (await fetch(at("/marketplace/api/plan?action=upgrade&name=@acme/hello"))).json();
    expect(upgrade.needsConsent).toBe(true);
    expect(upgrade.steps[0]).toMatchObject({
      change: "upgrade",
      version: "1.1.0",
      replaces: "1.0.0",
      widened: ["Read the environment variable HELLO_KEY"],
    });
    const refused = await apply({ action: "upgrade", name: "@acme/hello", version: "1.1.0" });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      "BUNTIME_ERR_MARKETPLACE_CONSENT_REQUIRED",
    );
    expect(await (await fetch(at("/hello/x"))).text()).toBe("@acme/hello@1.0.0");
    const accepted = await apply({
      action: "upgrade",
      name: "@acme/hello",
      version: "1.1.0",
      acceptPermissions: true,
    });
    expect(accepted.status).toBe(202);
    expect(
      (await jobEvents(bench.url, ((await accepted.json()) as { events: string }).events)).at(-1),
    ).toMatchObject({ type: "done" });
    expect(await (await fetch(at("/hello/x"))).text()).toBe("@acme/hello@1.1.0");
  }, 60_000);

  it("keeps the old version serving when the new one fails to start, and says why in the CLI's words", async () => {
    await bench.publish({
      name: "@acme/hello",
      version: "1.2.0",
      permissions: { network: ["api.acme.test"], env: ["HELLO_KEY"] },
      setup: 'throw new Error("no database")',
    });
    const started = await apply({ action: "upgrade", name: "@acme/hello", version: "1.2.0" });
    expect(started.status).toBe(202);
    const seen = await jobEvents(bench.url, ((await started.json()) as { events: string }).events);
    const failed = seen.at(-1) as { type: string; message: string; code: string };
    expect(failed.type).toBe("failed");
    expect(failed.message).toStartWith("buntime plugin install: ");
    expect(failed.message).toContain("no database");
    expect(failed.code).toBe("BUNTIME_ERR_INSTALL_KERNEL_REFUSED");
    expect(seen.find((e) => e.type === "step" && e.state === "failed")).toMatchObject({ step: "load" });
    expect(await (await fetch(at("/hello/x"))).text()).toBe("@acme/hello@1.1.0");
  }, 60_000);

  it("rolls back and removes after a plan, and keeps an audit trail", async () => {
    const rollback = await (await fetch(at("/marketplace/api/plan?action=rollback&name=@acme/hello"))).json();
    expect(rollback.steps[0]).toMatchObject({
      change: "downgrade",
      version: "1.0.0",
      replaces: "1.1.0",
      widened: [],
    });
    const back = await apply({ action: "rollback", name: "@acme/hello" });
    expect(
      (await jobEvents(bench.url, ((await back.json()) as { events: string }).events)).at(-1),
    ).toMatchObject({ type: "done" });
    expect(await (await fetch(at("/hello/x"))).text()).toBe("@acme/hello@1.0.0");
    const removed = await apply({ action: "remove", name: "@acme/hello" });
    expect(
      (await jobEvents(bench.url, ((await removed.json()) as { events: string }).events)).at(-1),
    ).toMatchObject({ type: "done" });
    expect((await fetch(at("/hello/x"))).status).toBe(404);
    const again = await fetch(at("/marketplace/api/plan?action=remove&name=@acme/hello"));
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      error: {
        code: "BUNTIME_ERR_INSTALL_NOT_INSTALLED",
        message: expect.stringContaining("buntime plugin remove: @acme/hello is not installed"),
      },
    });

    const trail = (await (await fetch(at("/marketplace/api/audit.jsonl"))).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(trail.map((r) => `${r.action} ${r.outcome}`)).toEqual([
      "install done",
      "upgrade done",
      "upgrade failed",
      "rollback done",
      "remove done",
    ]);
    expect(trail[0]).toMatchObject({
      who: "loopback",
      plugins: [{ name: "@acme/hello", version: "1.0.0" }],
      permissionsAccepted: ["Connect to api.acme.test over the network"],
    });
    expect(trail[1].permissionsAccepted).toEqual(["Read the environment variable HELLO_KEY"]);
    expect(
      readFileSync(join(bench.kernel.home, "data", "@buntime", "plugin-marketplace", "audit.jsonl"), "utf8"),
    ).toContain('"remove"');
    expect(await (await fetch(at("/marketplace/audit"))).text()).toContain(
      "rollback @acme/hello@1.0.0 (was 1.1.0)",
    );
  }, 60_000);

  it("refuses bad input and non-JSON writes, changing nothing", async () => {
    const form = await fetch(at("/marketplace/api/apply"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "action=install&name=@acme/hello",
    });
    expect(form.status).toBe(400);
    expect((await apply({ action: "explode", name: "x" })).status).toBe(400);
    // names and versions that would read as CLI flags never reach the CLI
    expect((await apply({ action: "install", name: "--home=/tmp/elsewhere" })).status).toBe(400);
    expect(
      (await apply({ action: "install", name: "@acme/hello", version: "--registry=http://evil.test/" }))
        .status,
    ).toBe(400);
    expect((await fetch(at("/marketplace/api/plan?action=remove&name=--force"))).status).toBe(400);
    expect((await apply({ action: "install", name: "@acme/hello", extra: 1 })).status).toBe(400);
    const crossSite = await fetch(at("/marketplace/api/apply"), {
      method: "POST",
      headers: { ...JSON_HEADERS, origin: "https://evil.test" },
      body: JSON.stringify({ action: "install", name: "@acme/hello" }),
    });
    expect(crossSite.status).toBe(403);
    expect((await fetch(at("/hello/x"))).status).toBe(404);
    expect((await fetch(at("/marketplace/api/jobs/nope/events"))).status).toBe(404);
  });
});
