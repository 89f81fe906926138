import { afterAll, describe, expect, it } from "bun:test";
import { call, fixture, testPool } from "./helpers.ts";

const pool = testPool();
afterAll(() => pool.shutdown());

interface SeenEnv {
  processEnv: Record<string, string>;
  bunEnv: Record<string, string>;
}

describe("apps are isolated from the kernel and from each other", () => {
  it("shows a worker only its own app's env, never a kernel secret", async () => {
    process.env.BUNTIME_TEST_KERNEL_SECRET = "kernel-only";
    try {
      const one = fixture("env", { name: "env-one", env: { GREETING: "one", SHARED: "1" } });
      const two = fixture("env", { name: "env-two", env: { OTHER: "two" } });
      const seenOne = JSON.parse((await call(pool, one)).text) as SeenEnv;
      const seenTwo = JSON.parse((await call(pool, two)).text) as SeenEnv;
      expect(seenOne.processEnv).toEqual({ GREETING: "one", SHARED: "1" });
      expect(seenOne.bunEnv).toEqual({ GREETING: "one", SHARED: "1" });
      expect(seenTwo.processEnv).toEqual({ OTHER: "two" });
      expect(JSON.stringify([seenOne, seenTwo])).not.toContain("kernel-only");
      expect(JSON.stringify(seenOne)).not.toContain(process.env.PATH ?? "/usr/bin");
    } finally {
      delete process.env.BUNTIME_TEST_KERNEL_SECRET;
    }
  });

  it("gives each app its own module state", async () => {
    const a = fixture("counter", { name: "iso-a" });
    const b = fixture("counter", { name: "iso-b" });
    await call(pool, a);
    await call(pool, a);
    expect(JSON.parse((await call(pool, a)).text)).toMatchObject({ count: 3 });
    expect(JSON.parse((await call(pool, b)).text)).toMatchObject({ count: 1 });
  });

  it("runs two versions of one app side by side, keyed name@version", async () => {
    const v1 = fixture("counter", { name: "versioned", version: "1.0.0" });
    const v2 = fixture("counter", { name: "versioned", version: "2.0.0" });
    await call(pool, v1);
    expect(JSON.parse((await call(pool, v1)).text)).toMatchObject({ count: 2 });
    expect(JSON.parse((await call(pool, v2)).text)).toMatchObject({ count: 1 });
    expect(Object.keys(pool.stats().apps)).toEqual(
      expect.arrayContaining(["versioned@1.0.0", "versioned@2.0.0"]),
    );
  });
});
