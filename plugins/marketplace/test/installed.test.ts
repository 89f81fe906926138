import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type Bench, jobEvents, startBench } from "./support.ts";

const JSON_HEADERS = { "content-type": "application/json" };

describe("the Installed tab: pins, update all compatible, export, dependents", () => {
  let bench: Bench;
  const at = (path: string) => new URL(path, bench.url);
  const post = (path: string, body: unknown) =>
    fetch(at(path), { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(body) });
  const run = async (body: unknown) => {
    const started = await post("/marketplace/api/apply", body);
    expect(started.status).toBe(202);
    return (await jobEvents(bench.url, ((await started.json()) as { events: string }).events)).at(
      -1,
    ) as Record<string, unknown>;
  };
  const answer = async (path: string) => (await (await fetch(at(path))).text()).trim();

  beforeAll(async () => {
    bench = await startBench();
    for (const name of ["@acme/pinned", "@acme/fresh", "@acme/old", "@acme/base"])
      await bench.publish({ name, version: "1.0.0" });
    await bench.publish({ name: "@acme/web", version: "1.0.0", deps: { "@acme/base": "^1.0.0" } });
    for (const name of ["@acme/pinned", "@acme/fresh", "@acme/old", "@acme/web"]) {
      expect(await run({ action: "install", name, version: "1.0.0" })).toMatchObject({ type: "done" });
    }
    await bench.publish({ name: "@acme/pinned", version: "1.1.0" });
    await bench.publish({ name: "@acme/fresh", version: "1.1.0" });
    await bench.publish({ name: "@acme/old", version: "2.0.0", kernel: "^9.0.0" });
  }, 90_000);
  afterAll(() => bench?.stop());

  it("updates every compatible plugin but the pinned ones, naming why each other is left", async () => {
    expect((await post("/marketplace/api/pin", { name: "@acme/pinned", pinned: true })).status).toBe(200);
    expect((await post("/marketplace/api/pin", { name: "@acme/nope", pinned: true })).status).toBe(404);
    const page = await answer("/marketplace/installed");
    expect(page).toContain('data-action="update-all"');
    expect(page).toContain('<span class="badge">pinned</span>');
    const plan = await (await fetch(at("/marketplace/api/plan?action=update-all&name=all"))).json();
    expect(plan.steps.map((s: { name: string; version: string }) => `${s.name}@${s.version}`)).toEqual([
      "@acme/fresh@1.1.0",
    ]);
    expect(plan.skipped).toEqual([
      { name: "@acme/base", reason: "1.0.0 is the newest" },
      { name: "@acme/old", reason: "2.0.0 needs kernel ^9.0.0; this one is 0.1.0" },
      { name: "@acme/pinned", reason: "pinned at 1.0.0" },
      { name: "@acme/web", reason: "1.0.0 is the newest" },
    ]);
    expect(await run({ action: "update-all", name: "all" })).toMatchObject({ type: "done" });
    expect(await answer("/fresh/x")).toBe("@acme/fresh@1.1.0");
    expect(await answer("/pinned/x")).toBe("@acme/pinned@1.0.0");
    const exported = await fetch(at("/marketplace/api/export.distro.json"));
    expect(exported.headers.get("content-disposition")).toContain("buntime.distro.json");
    const manifest = await exported.json();
    expect(manifest.plugins).toMatchObject({ "@acme/fresh": "1.1.0", "@acme/pinned": "1.0.0" });
    expect(manifest.registry).toBeString();
    expect(manifest.policy).toEqual({ signatures: "registry" });
  }, 60_000);

  it("refuses to remove a plugin others need, naming them, and changes nothing", async () => {
    const plan = await (await fetch(at("/marketplace/api/plan?action=remove&name=@acme/base"))).json();
    expect(plan.dependents).toEqual(["@acme/web@1.0.0"]);
    const outcome = await run({ action: "remove", name: "@acme/base" });
    expect(outcome).toMatchObject({ type: "failed", code: "BUNTIME_ERR_PLUGIN_IN_USE" });
    expect(outcome.message).toContain("@acme/web@1.0.0");
    expect(await answer("/base/x")).toBe("@acme/base@1.0.0");
  }, 60_000);
});
