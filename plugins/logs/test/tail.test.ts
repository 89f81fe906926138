import { afterEach, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel, type Kernel } from "@buntime/kernel";
import logs, { type LogsService, type StoredLogEntry } from "@buntime/plugin-logs";
import { definePlugin } from "@buntime/sdk";
import logsPackage from "../package.json" with { type: "json" };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const talker = {
  packageJson: { name: "talker", version: "1.0.0", buntime: { kernel: "^0.1.0", base: "/talk" } },
  plugin: definePlugin({
    setup: (ctx) => ({
      fetch(request) {
        ctx.logger.warn(new URL(request.url).pathname.slice("/talk/".length));
        return new Response("ok");
      },
    }),
  }),
};

async function listening(settings: Record<string, unknown> = {}): Promise<{ kernel: Kernel; url: URL }> {
  const home = mkdtempSync(join(tmpdir(), "buntime-logs-tail-"));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const kernel = createKernel({
    config: { home, port: 0, hostname: "127.0.0.1", plugins: { "@buntime/plugin-logs": settings } },
    plugins: [{ packageJson: logsPackage, plugin: logs }, talker],
    logSink: () => {},
  });
  cleanups.push(() => kernel.stop());
  await kernel.start();
  return { kernel, url: await kernel.listen() };
}

interface Tail {
  readonly response: Response;
  /** Resolves with the next `count` log events, or rejects after `ms`. */
  next(count: number, ms?: number): Promise<{ id: number; entry: StoredLogEntry }[]>;
  /** Resolves with the next `count` comment lines (skipping events), or rejects after `ms`. */
  comments(count: number, ms?: number): Promise<string[]>;
  /** Resolves true once the server has ended the stream. */
  ended(ms?: number): Promise<boolean>;
  close(): void;
}

async function openTail(url: URL, query: string, headers: Record<string, string> = {}): Promise<Tail> {
  const abort = new AbortController();
  const response = await fetch(new URL(`/logs/api/tail?${query}`, url), { headers, signal: abort.signal });
  const close = () => abort.abort();
  cleanups.push(close);
  if (!response.ok || !response.body) {
    return { response, next: async () => [], comments: async () => [], ended: async () => true, close };
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const read = (ms: number) =>
    Promise.race([
      reader.read(),
      Bun.sleep(ms).then(() => {
        throw new Error(`no data within ${ms} ms; got so far: ${JSON.stringify(buffer)}`);
      }),
    ]);
  /** The next SSE block (an event or a comment), waiting until `deadline` at most. */
  const nextBlock = async (deadline: number): Promise<string> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        return block;
      }
      const chunk = await read(Math.max(1, deadline - Date.now()));
      if (chunk.done) throw new Error("the stream ended");
      buffer += chunk.value;
    }
  };
  return {
    response,
    close,
    async next(count, ms = 5000) {
      const events: { id: number; entry: StoredLogEntry }[] = [];
      const deadline = Date.now() + ms;
      while (events.length < count) {
        const block = await nextBlock(deadline);
        const id = /^id: (\d+)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (/^event: log$/m.test(block) && id && data)
          events.push({ id: Number(id), entry: JSON.parse(data) });
      }
      return events;
    },
    async comments(count, ms = 5000) {
      const found: string[] = [];
      const deadline = Date.now() + ms;
      while (found.length < count) {
        const block = await nextBlock(deadline);
        if (block.startsWith(":")) found.push(block);
      }
      return found;
    },
    async ended(ms = 5000) {
      const deadline = Date.now() + ms;
      for (let reads = 0; reads < 1000 && Date.now() < deadline; reads++) {
        const chunk = await read(Math.max(1, deadline - Date.now())).catch(() => ({ done: true, value: "" }));
        if (chunk.done) return true;
      }
      return false;
    },
  };
}

describe("logs plugin live tail", () => {
  it("streams new lines that pass its filter as SSE events, in order", async () => {
    const { url } = await listening();
    const tail = await openTail(url, "plugin=talker");
    expect(tail.response.status).toBe(200);
    expect(tail.response.headers.get("content-type")).toStartWith("text/event-stream");
    await fetch(new URL("/talk/one", url));
    await fetch(new URL("/elsewhere", url));
    await fetch(new URL("/talk/two", url));
    const events = await tail.next(2);
    expect(events.map((event) => event.entry.message)).toEqual(["one", "two"]);
    expect(events.map((event) => event.entry.namespace)).toEqual(["plugin:talker", "plugin:talker"]);
    expect(events[1]?.id).toBeGreaterThan(events[0]?.id ?? Number.POSITIVE_INFINITY);
    expect(events[0]?.id).toBe(events[0]?.entry.seq ?? -1);
  });

  it("keeps a quiet tail alive with comment lines, every tailHeartbeat", async () => {
    const { url } = await listening({ tailHeartbeat: 100 });
    const tail = await openTail(url, "level=error");
    expect(await tail.comments(2)).toEqual([": keep-alive", ": keep-alive"]);
  });

  it("replays the lines a reconnecting client missed after its Last-Event-ID", async () => {
    const { url } = await listening();
    const first = await openTail(url, "plugin=talker");
    await fetch(new URL("/talk/seen", url));
    const [seen] = await first.next(1);
    first.close();
    await fetch(new URL("/talk/missed", url));
    const again = await openTail(url, "plugin=talker", { "last-event-id": String(seen?.id) });
    await fetch(new URL("/talk/live", url));
    expect((await again.next(2)).map((event) => event.entry.message)).toEqual(["missed", "live"]);
  });

  it("replays more buffered lines than a slow client may leave unread, then goes on live", async () => {
    const { kernel, url } = await listening({ accessLog: false });
    const logsService = kernel.service("logs") as LogsService;
    const time = new Date().toISOString();
    for (let index = 1; index <= 1500; index++) {
      logsService.record({ time, level: "info", namespace: "bulk", message: `line ${index}` });
    }
    const tail = await openTail(url, "namespace=bulk&after=0");
    const replayed = await tail.next(1500);
    expect(replayed.at(0)?.entry.message).toBe("line 1");
    expect(replayed.at(-1)?.entry.message).toBe("line 1500");
    logsService.record({ time, level: "info", namespace: "bulk", message: "live" });
    expect((await tail.next(1)).map((event) => event.entry.message)).toEqual(["live"]);
  });

  it("closes the tail of a client that stops reading, and frees its place", async () => {
    const { kernel, url } = await listening({ accessLog: false, capacity: 50, tailBacklog: 5, maxTails: 1 });
    const logsService = kernel.service("logs") as LogsService;
    const stalled = await openTail(url, "namespace=bulk");
    const big = "x".repeat(64 * 1024);
    const time = new Date().toISOString();
    // Unread, these fill the client's and the socket's buffers (a few MB), then the tail's queue.
    let freed = false;
    for (let index = 0; index < 1000 && !freed; index++) {
      logsService.record({ time, level: "info", namespace: "bulk", message: big });
      if (index % 50 === 49) {
        const probe = await openTail(url, "namespace=other");
        freed = probe.response.status === 200;
        probe.close();
      }
    }
    expect(freed).toBe(true);
    expect(await stalled.ended(10000)).toBe(true);
  });

  it("refuses a tail past maxTails with 503 and takes one again once a tail closes", async () => {
    const { url } = await listening({ maxTails: 1 });
    const first = await openTail(url, "level=error");
    expect(first.response.status).toBe(200);
    const refused = await openTail(url, "level=error");
    expect(refused.response.status).toBe(503);
    expect(refused.response.headers.get("retry-after")).toBe("5");
    expect(await refused.response.json()).toEqual({
      error: {
        code: "BUNTIME_ERR_LOGS_TAIL_LIMIT",
        message: "1 live log tails are open already; retry later",
      },
    });
    first.close();
    // The server learns of the disconnect asynchronously; ask again until it has (bounded).
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
      const retry = await openTail(url, "level=error");
      status = retry.response.status;
      retry.close();
      if (status !== 200) await Bun.sleep(20);
    }
    expect(status).toBe(200);
  });

  it("ends open tails when the plugin unloads", async () => {
    const { kernel, url } = await listening();
    const tail = await openTail(url, "plugin=talker");
    await fetch(new URL("/talk/before", url));
    expect((await tail.next(1)).map((event) => event.entry.message)).toEqual(["before"]);
    await kernel.unload("@buntime/plugin-logs");
    expect(await tail.ended()).toBe(true);
  });
});
