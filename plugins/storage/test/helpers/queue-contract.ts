import { afterAll, describe, expect, it } from "bun:test";
import { createKeyValueStore, type KvBackend, openQueue, type QueueOptions } from "@buntime/plugin-storage";

/**
 * Queues as every backend must run them. `openBackend` opens a new connection each time, so two
 * of them stand for two kernels sharing the backend.
 */
export function queueContract(name: string, openBackend: () => Promise<KvBackend>) {
  // two connections for the whole suite: a server's connections are few
  let pair: Promise<KvBackend[]> | undefined;
  afterAll(async () => {
    if (pair) for (const backend of await pair) await backend.close();
  });
  /** Two "kernels" on the same backend, the same queue (new for each test), one clock. */
  const open = async (options: QueueOptions = {}) => {
    pair ??= Promise.all([openBackend(), openBackend()]);
    const clock = { now: 5_000_000 };
    const namespace = `q${crypto.randomUUID()}`;
    const [a, b] = (await pair).map((backend) => {
      const store = createKeyValueStore(backend, { now: () => clock.now }).namespace(namespace);
      return openQueue(store, "jobs", { now: () => clock.now, ...options });
    });
    if (!a || !b) throw new Error("two queues");
    return { a, b, clock, store: async () => createKeyValueStore((await pair)?.[0] as KvBackend) };
  };

  describe(`keyval queues on ${name}`, () => {
    it("delivers in due order, after a delay, and forgets an acked message", async () => {
      const { a, clock } = await open();
      await a.enqueue({ n: 1 });
      await a.enqueue({ n: 2 }, { delay: 1000 });
      await a.enqueue({ n: 3 });
      const first = await a.receive<{ n: number }>();
      const second = await a.receive<{ n: number }>();
      expect([first?.value.n, second?.value.n]).toEqual([1, 3]);
      expect(first?.attempts).toBe(1);
      expect(await a.receive()).toBeNull();
      clock.now += 1000;
      expect((await a.receive<{ n: number }>())?.value.n).toBe(2);
      expect(await a.ack(first?.id ?? "")).toBe(true);
      expect(await a.ack(first?.id ?? "")).toBe(false);
    });

    it("delivers each message once when two kernels receive at the same time", async () => {
      const { a, b } = await open();
      const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => a.enqueue(i)));
      const got: string[] = [];
      await Promise.all(
        [a, b, a, b].map(async (queue) => {
          for (let i = 0; i < 20; i++) {
            const message = await queue.receive();
            if (!message) return;
            got.push(message.id);
            await queue.ack(message.id);
          }
        }),
      );
      expect(got.sort()).toEqual([...ids].sort());
    });

    it("retries a nacked message with a growing delay, then dead-letters it", async () => {
      const { a, b, clock } = await open({ maxAttempts: 3, retryDelayMs: 100 });
      await a.enqueue("flaky");
      const one = await a.receive();
      expect(await a.nack(one?.id ?? "", "boom")).toBe(true);
      expect(await b.receive()).toBeNull();
      clock.now += 100;
      const two = await b.receive();
      expect(two?.attempts).toBe(2);
      await b.nack(two?.id ?? "", "boom");
      clock.now += 199;
      expect(await a.receive()).toBeNull();
      clock.now += 1;
      const three = await a.receive();
      expect(three?.attempts).toBe(3);
      await a.nack(three?.id ?? "", "boom again");
      clock.now += 10_000;
      expect(await a.receive()).toBeNull();
      const dead = await b.dead();
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ value: "flaky", attempts: 3, reason: "boom again" });
    });

    it("delivers again a message whose receiver let its lease run out", async () => {
      const { a, b, clock } = await open({ leaseMs: 1000 });
      await a.enqueue("job");
      const taken = await a.receive();
      expect(await b.receive()).toBeNull();
      clock.now += 1000;
      const again = await b.receive();
      expect(again).toMatchObject({ id: taken?.id, attempts: 2 });
      expect(await a.ack(taken?.id ?? "")).toBe(true); // the lease is the message's, whoever holds it
    });

    it("runs a listener: a return acks, a throw nacks", async () => {
      const { a, b } = await open({ retryDelayMs: 1, maxAttempts: 2, now: Date.now });
      const seen: unknown[] = [];
      const stop = b.listen(
        (message) => {
          seen.push(message.value);
          if (message.value === "bad") throw new Error("refused");
        },
        { interval: 5 },
      );
      await a.enqueue("good");
      await a.enqueue("bad");
      for (let i = 0; i < 200 && (await a.dead()).length === 0; i++) await Bun.sleep(10);
      stop();
      expect(seen.filter((v) => v === "good")).toHaveLength(1);
      expect(seen.filter((v) => v === "bad")).toHaveLength(2);
      expect((await a.dead()).map((m) => m.reason)).toEqual(["refused"]);
    });

    it("refuses a bad queue name or delay", async () => {
      const store = await (await open()).store();
      expect(() => openQueue(store, "a/b")).toThrow("queue name");
      const error = await openQueue(store, "ok")
        .enqueue(1, { delay: -1 })
        .catch((e) => e);
      expect(error.code).toBe("BUNTIME_ERR_STORAGE_REQUEST_INVALID");
    });
  });
}
