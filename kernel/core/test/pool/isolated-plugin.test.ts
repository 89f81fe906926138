/** Isolated plugins (`mode: "isolated"`): their setup and handlers run in the pool, in either tier. */
import { afterAll, describe, expect, it } from "bun:test";
import type { AppSpec, IsolationTier } from "@buntime/sdk";
import { call, fixture, TIERS, testPool } from "./helpers.ts";

/** The kernel service the fixture plugin may call (it declares it in consumes). */
const greeter = {
  greet: async (name: unknown) => `hello ${String(name)}`,
  nested: () => ({ double: (n: number) => n * 2 }),
};

function plugin(tier: IsolationTier, config: unknown, name = "notes"): AppSpec {
  return fixture("isolated-plugin", {
    name,
    version: "1.0.0",
    isolation: tier,
    plugin: {
      config,
      base: "/notes",
      dataDir: "/srv/buntime/data/notes",
      kernelVersion: "0.1.0",
      consumes: ["greeter"],
      services: { get: (service) => (service === "greeter" ? greeter : undefined) },
    },
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
    expect(pool.stats().apps["plugin:notes@1.0.0"]?.isolation).toBe(tier);
  });

  it("refuses a pipeline hook at load, naming it", async () => {
    const { status, text } = await call(pool, plugin(tier, { hook: "onRequest" }, `hooked-${tier}`));
    expect(status).toBe(502);
    expect(text).toContain("the onRequest hook is not available to an isolated plugin");
  });

  it("reaches no service it did not declare: the lookup fails naming the service and where to declare it", async () => {
    const { status, text } = await call(pool, plugin(tier, { service: "keyval" }, `consumer-${tier}`));
    expect(status).toBe(502);
    expect(text).toContain("did not declare service keyval: add it to buntime.consumes");
  });

  it("calls a declared service across the boundary, chains included", async () => {
    const spec = plugin(tier, {}, `caller-${tier}`);
    expect(JSON.parse((await call(pool, spec, "/call?service=greeter&method=greet&arg=ada")).text)).toEqual({
      value: "hello ada",
    });
    expect(JSON.parse((await call(pool, spec, "/chain")).text)).toEqual({ value: 42 });
  });

  it.each(["constructor", "__proto__", "toString", "_private", "missing"])(
    "refuses a call of %s on a service: only its plain methods are reachable",
    async (method) => {
      const spec = plugin(tier, {}, `prober-${tier}`);
      const { status, text } = await call(pool, spec, `/call?service=greeter&method=${method}`);
      expect(status).toBe(403);
      expect(text).toContain("greeter:");
    },
  );
});
