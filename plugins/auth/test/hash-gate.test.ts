import { afterEach, describe, expect, it } from "bun:test";
import { BuntimeError } from "@buntime/sdk";
import { HashGate, hashGate } from "../src/hash-gate.ts";
import { errorOf, json, startAuth, stopKernels } from "./support.ts";

afterEach(stopKernels);

describe("the password hash gate", () => {
  it("runs at most maxRunning at once and refuses past maxWaiting with a coded 503", async () => {
    const gate = new HashGate(2, 3);
    let running = 0;
    let most = 0;
    const work = async () => {
      most = Math.max(most, ++running);
      await Bun.sleep(20);
      running--;
      return "done";
    };
    const accepted = Array.from({ length: 5 }, () => gate.run(work));
    expect(gate.load).toEqual({ running: 2, waiting: 3 });
    const refused = await gate.run(work).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BuntimeError);
    expect((refused as BuntimeError).code).toBe("BUNTIME_ERR_AUTH_BUSY");
    expect((refused as BuntimeError).status).toBe(503);
    expect(await Promise.all(accepted)).toEqual(Array(5).fill("done"));
    expect(most).toBe(2);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it("frees the slot of work that fails", async () => {
    const gate = new HashGate(1, 1);
    await expect(gate.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await gate.run(async () => 1)).toBe(1);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it("keeps health probes answering during a flood of 50 wrong-password sign-ins", async () => {
    const { kernel } = await startAuth();
    let most = 0;
    let queued = 0;
    let flooding = true;
    const flood = Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        kernel.fetch("/auth/login", json("POST", { username: `nobody${i}`, password: "wrong-password" })),
      ),
    ).finally(() => {
      flooding = false;
    });
    const probes: number[] = [];
    while (flooding && probes.length < 100) {
      most = Math.max(most, hashGate.load.running);
      queued = Math.max(queued, hashGate.load.waiting);
      const started = performance.now();
      const health = await kernel.fetch("/_/api/health");
      probes.push(performance.now() - started);
      expect(health.status).toBe(200);
      await Bun.sleep(10);
    }
    const answers = await flood;
    expect(answers.map(({ status }) => status)).toEqual(Array(50).fill(401));
    expect((await errorOf(answers[0] as Response)).code).toBe("BUNTIME_ERR_AUTH_BAD_CREDENTIALS");
    expect(probes.length).toBeGreaterThan(0);
    expect(Math.max(...probes)).toBeLessThan(250);
    // the sign-ins went through the gate: they queued, and no more than its width ran at once
    expect(queued).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(hashGate.maxRunning);
  }, 60_000); // 50 argon2id hashes, a few at a time, on a loaded machine
});
