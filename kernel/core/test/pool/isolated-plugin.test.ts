/** Isolated plugins (`mode: "isolated"`): their setup and handlers run in the pool, in either tier. */
import { afterAll, describe, expect, it } from "bun:test";
import type { AppSpec, IsolationTier } from "@buntime/sdk";
import { call, fixture, TIERS, testPool } from "./helpers.ts";

function plugin(tier: IsolationTier, config: unknown, name = "notes"): AppSpec {
  return fixture("isolated-plugin", {
    name,
    version: "1.0.0",
    isolation: tier,
    plugin: { config, base: "/notes", dataDir: "/srv/buntime/data/notes", kernelVersion: "0.1.0" },
  });
}

describe.each(TIERS)("an isolated plugin in the %s tier", (tier) => {
  const pool = testPool();
  afterAll(() => pool.shutdown());

  it("runs setup in the worker and serves what fetch returns, keeping its state between requests", async () => {
    const spec = plugin(tier, { greeting: "hi" });
    const first = JSON.parse(
      (await call(pool, spec, "/list", { headers: { "x-request-id": "req-1" } })).text,
    ) as Record<string, unknown>;
    expect(first).toMatchObject({
      greeting: "hi from notes",
      served: 1,
      base: "/notes",
      pathname: "/list",
      requestId: "req-1",
      dataDir: tier === "process" ? "/data" : "/srv/buntime/data/notes",
    });
    expect(JSON.parse((await call(pool, spec)).text)).toMatchObject({ served: 2 });
    expect(pool.stats().apps["notes@1.0.0"]?.isolation).toBe(tier);
  });

  it("refuses a pipeline hook at load, naming it", async () => {
    const { status, text } = await call(pool, plugin(tier, { hook: "onRequest" }, `hooked-${tier}`));
    expect(status).toBe(502);
    expect(text).toContain("the onRequest hook is not available to an isolated plugin");
  });

  it("reaches no kernel service: the lookup fails naming the service", async () => {
    const { status, text } = await call(pool, plugin(tier, { service: "keyval" }, `consumer-${tier}`));
    expect(status).toBe(502);
    expect(text).toContain("service keyval is not available to an isolated plugin");
  });
});
