import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { TestKernel } from "@buntime/kernel/testing";
import { startAppsKernel } from "./helpers/apps-kernel.ts";
import { readEventStream } from "./helpers/event-stream.ts";

describe("queues and watch over the HTTP API", () => {
  let kernel: TestKernel;
  const tokens: Record<string, string> = {};
  const api = (app: string, path: string, init: RequestInit = {}) =>
    fetch(new URL(`/storage/api${path}`, kernel.url), {
      ...init,
      headers: { authorization: `Bearer ${tokens[app]}`, ...init.headers },
    });

  beforeAll(async () => {
    let started: Record<string, string>;
    ({ kernel, tokens: started } = await startAppsKernel(
      { queueMaxAttempts: 2, queueRetryDelayMs: 0, watchInterval: 20 },
      ["alpha", "beta"],
    ));
    Object.assign(tokens, started);
  });
  afterAll(() => kernel.stop());

  it("enqueues, receives once, acks; another app's queue of the same name is apart", async () => {
    const sent = await api("alpha", "/queues/jobs", {
      method: "POST",
      body: JSON.stringify({ value: { n: 1 } }),
    });
    expect(sent.status).toBe(201);
    const { id } = (await sent.json()) as { id: string };
    expect((await api("beta", "/queues/jobs/receive", { method: "POST" })).status).toBe(204);
    const received = await api("alpha", "/queues/jobs/receive", { method: "POST" });
    expect(await received.json()).toEqual({ id, value: { n: 1 }, attempts: 1 });
    expect((await api("alpha", "/queues/jobs/receive", { method: "POST" })).status).toBe(204);
    expect((await api("alpha", `/queues/jobs/messages/${id}/ack`, { method: "POST" })).status).toBe(204);
    const again = await api("alpha", `/queues/jobs/messages/${id}/ack`, { method: "POST" });
    expect(again.status).toBe(404);
  });

  it("retries a nacked message, then dead-letters it with the reason", async () => {
    await api("alpha", "/queues/mail", { method: "POST", body: JSON.stringify({ value: "to ada" }) });
    for (let attempt = 1; attempt <= 2; attempt++) {
      const message = (await (await api("alpha", "/queues/mail/receive", { method: "POST" })).json()) as {
        id: string;
        attempts: number;
      };
      expect(message.attempts).toBe(attempt);
      const nack = await api("alpha", `/queues/mail/messages/${message.id}/nack`, {
        method: "POST",
        body: JSON.stringify({ reason: "smtp down" }),
      });
      expect(nack.status).toBe(204);
    }
    expect((await api("alpha", "/queues/mail/receive", { method: "POST" })).status).toBe(204);
    const dead = (await (await api("alpha", "/queues/mail/dead")).json()) as {
      messages: { value: string; reason: string }[];
    };
    expect(dead.messages).toMatchObject([{ value: "to ada", reason: "smtp down", attempts: 2 }]);
  });

  it("refuses bad queue input with 400 naming it", async () => {
    const badName = await api("alpha", "/queues/no%20spaces", {
      method: "POST",
      body: JSON.stringify({ value: 1 }),
    });
    expect(badName.status).toBe(400);
    expect(((await badName.json()) as { error: { message: string } }).error.message).toContain("queue name");
    const noValue = await api("alpha", "/queues/jobs", { method: "POST", body: "{}" });
    expect(noValue.status).toBe(400);
    const badDelay = await api("alpha", "/queues/jobs", {
      method: "POST",
      body: JSON.stringify({ value: 1, delay: -5 }),
    });
    expect(badDelay.status).toBe(400);
    expect((await api("alpha", "/watch")).status).toBe(400);
  });

  it("streams changes to watched keys over SSE, from a write by a plugin", async () => {
    const abort = new AbortController();
    const response = await api("alpha", "/watch?key=status&prefix=job/", { signal: abort.signal });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events = readEventStream(response);
    await events.until('"version":null');
    const app = kernel.service("keyval").namespace("app").namespace("alpha");
    await app.set("status", "busy");
    await app.set("job/1", { done: false });
    await app.set("elsewhere", "not watched");
    await events.until('"job/1"');
    abort.abort();
    expect(events.text).toContain("event: change");
    expect(events.text).toContain('"key":"status","value":"busy"');
    expect(events.text).toContain('"key":"job/1","value":{"done":false}');
    expect(events.text).not.toContain("elsewhere");
  });
});
