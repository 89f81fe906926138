/**
 * Tenant groups: apps the kernel puts in one group share one sandbox, each in a worker of its
 * own (its own env and heap); an app outside the group gets a sandbox of its own.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { call, fixture, SANDBOX_MISSING, testPool } from "./helpers.ts";

const pool = testPool({ isolation: { groups: { acme: ["acme-one", "acme-two", "acme-late"] } } });
afterAll(() => pool.shutdown());

const one = fixture("intruder", { name: "acme-one", env: { GREETING: "one" } });
const two = fixture("intruder", { name: "acme-two", env: { GREETING: "two" } });
const late = fixture("process-fault", { name: "acme-late" });
const outsider = fixture("intruder", { name: "outsider", isolation: "process" });

const q = (value: string) => encodeURIComponent(value);

describe.skipIf(SANDBOX_MISSING)("a tenant group", () => {
  it("runs its apps in the process tier even when they do not ask", async () => {
    expect((await call(pool, one, "/whoami")).status).toBe(200);
    expect(pool.stats().apps["acme-one@0.0.0"]?.isolation).toBe("process");
  });

  it("shares one sandbox among its apps: what one writes in /data the other reads", async () => {
    expect((await call(pool, one, `/write?path=${q("/data/shared.txt")}`)).status).toBe(200);
    expect(await call(pool, two, `/read?path=${q("/data/shared.txt")}`)).toMatchObject({
      status: 200,
      text: "planted by intruder",
    });
  });

  it("keeps each app's environment its own; the sandbox's process holds none of them", async () => {
    const first = JSON.parse((await call(pool, one, "/env")).text) as Record<string, string>;
    const second = JSON.parse((await call(pool, two, "/env")).text) as Record<string, string>;
    expect(first.GREETING).toBe("one");
    expect(second.GREETING).toBe("two");
    const environ = (await call(pool, one, "/environ")).text;
    expect(environ).not.toContain("GREETING");
  });

  it("gives an app outside the group a sandbox of its own, which sees none of the group's data", async () => {
    const { status, text } = await call(pool, outsider, `/read?path=${q("/data/shared.txt")}`);
    expect(status).toBe(403);
    expect(text).toContain("ENOENT");
  });

  it("takes in a member seen later: a new sandbox with every member, which the others move to", async () => {
    expect((await call(pool, late)).status).toBe(200);
    expect((await call(pool, one, "/whoami")).status).toBe(200);
    expect((await call(pool, two, "/whoami")).status).toBe(200);
    // the first sandbox's apps were retired, so these answers come from the new one
    const listing = (await call(pool, one, `/list?path=${q("/apps")}`)).text.split("\n");
    expect(listing.sort()).toEqual(["0", "1", "_runtime"]);
    expect((await call(pool, two, `/read?path=${q("/data/shared.txt")}`)).status).toBe(200);
    expect(pool.stats().apps["acme-one@0.0.0"]?.recycled.regroup).toBe(1);
  });

  it("contains a member's process.exit to that member's worker", async () => {
    expect((await call(pool, late, "/exit")).status).toBe(502);
    expect((await call(pool, one, "/whoami")).status).toBe(200);
    expect((await call(pool, late)).status).toBe(200);
  });
});
