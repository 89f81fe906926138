import { describe, expect, it } from "bun:test";
import type { KernelPlugins, PluginEvent } from "@buntime/sdk";
import { Hono } from "hono";
import type { MenuEntry } from "../src/server/catalog.ts";
import { createEventFeed } from "../src/server/events.ts";

/** A `kernel:plugins` whose events the test sends. */
function fakePlugins() {
  const listeners = new Set<(event: PluginEvent) => void>();
  const plugins: KernelPlugins = {
    list: () => [],
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const emit = (event: PluginEvent) => {
    for (const listener of listeners) listener(event);
  };
  return { plugins, emit, listeners };
}

async function nextEvent(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  let text = "";
  while (!text.includes("\n\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  return text;
}

describe("the menu feed", () => {
  it("sends the menu at once and again after each plugin event, and stops listening when closed", async () => {
    const { plugins, emit, listeners } = fakePlugins();
    let menu: MenuEntry[] = [];
    const app = new Hono().get(
      "/events",
      createEventFeed(plugins, async () => menu),
    );
    const controller = new AbortController();
    const response = await app.request("/events", { signal: controller.signal });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await nextEvent(reader)).toBe("event: menu\ndata: []\n\n");
    menu = [{ label: "Logs", path: "/logs/", owner: "logs", kind: "plugin" }];
    emit({ type: "unloaded", name: "x", version: "1.0.0" });
    expect(await nextEvent(reader)).toContain('"label":"Logs"');
    expect(listeners.size).toBe(1);
    controller.abort();
    await reader.cancel();
    for (let i = 0; i < 50 && listeners.size > 0; i++) await Bun.sleep(10);
    expect(listeners.size).toBe(0);
  });

  it("refuses a feed past the limit with a coded 503, and takes one again when one closes", async () => {
    const { plugins } = fakePlugins();
    const app = new Hono().get(
      "/events",
      createEventFeed(plugins, async () => [], 2),
    );
    const open = [new AbortController(), new AbortController()];
    const readers = [];
    for (const controller of open) {
      const response = await app.request("/events", { signal: controller.signal });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      await nextEvent(reader);
      readers.push(reader);
    }
    const refused = await app.request("/events");
    expect(refused.status).toBe(503);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("BUNTIME_ERR_SHELL_EVENTS_LIMIT");
    expect(body.error.message).toContain("2 shell event streams");
    open[0]?.abort();
    await readers[0]?.cancel();
    let again = 503;
    for (let i = 0; i < 50 && again === 503; i++) {
      await Bun.sleep(10);
      const response = await app.request("/events");
      again = response.status;
      await response.body?.cancel();
    }
    expect(again).toBe(200);
    open[1]?.abort();
    await readers[1]?.cancel();
  });
});
