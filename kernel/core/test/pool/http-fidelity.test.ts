import { afterAll, describe, expect, it } from "bun:test";
import { eventually, fixture, servePool, TIERS, testPool } from "./helpers.ts";

// the same app contract in both tiers: every test below runs against a thread and a sandboxed process
describe.each(TIERS)("in the %s tier", (tier) => {
  const pool = testPool({ isolation: { default: tier } });
  const server = servePool(pool, (app) =>
    fixture(app, app === "upload" ? { maxBodySize: 64 * 1024 * 1024 } : {}),
  );
  afterAll(async () => {
    server.stop();
    await pool.shutdown();
  });

  describe("requests and responses cross the worker boundary intact", () => {
    it("keeps method, URL, query, headers and a binary body", async () => {
      const bytes = new Uint8Array(256).map((_, i) => i);
      const response = await fetch(`${server.url}/echo/path/x?q=1&q=2&e=%20`, {
        method: "PUT",
        headers: { "x-custom": "yes", "content-type": "application/octet-stream", "x-multi": "a, b" },
        body: bytes,
      });
      expect(response.status).toBe(201);
      expect(response.headers.get("x-method")).toBe("PUT");
      expect(response.headers.get("x-url")).toBe(`${server.url}/path/x?q=1&q=2&e=%20`);
      const seen = new Map(JSON.parse(response.headers.get("x-headers") ?? "[]") as [string, string][]);
      expect(seen.get("x-custom")).toBe("yes");
      expect(seen.get("x-multi")).toBe("a, b");
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
    });

    it("keeps several Set-Cookie headers separate", async () => {
      const response = await fetch(`${server.url}/echo`);
      expect(response.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/; HttpOnly", "c=3"]);
      await response.arrayBuffer();
    });

    // a sandbox sees only the app's folder, and this fixture borrows hono from the repo's node_modules
    it.skipIf(tier === "process")("runs a Hono app as the entry's default export", async () => {
      const response = await fetch(`${server.url}/hono-app/hi/ada`);
      expect(await response.text()).toBe("hi ada");
    });

    it("streams a 50 MB upload to the app in many chunks without buffering it first", async () => {
      const size = 50 * 1024 * 1024;
      const piece = new Uint8Array(64 * 1024).map((_, i) => (i * 7) % 251);
      const pieceSum = piece.reduce((total, byte) => total + byte, 0);
      let sent = 0;
      let expectedSum = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= size) return controller.close();
          expectedSum = (expectedSum + pieceSum) % 1_000_000_007;
          sent += piece.byteLength;
          controller.enqueue(piece.slice());
        },
      });
      const response = await fetch(`${server.url}/upload`, {
        method: "POST",
        body,
        duplex: "half",
      } as RequestInit);
      expect(response.status).toBe(200);
      const result = (await response.json()) as { bytes: number; chunks: number; sum: number };
      expect(result.bytes).toBe(size);
      expect(result.sum).toBe(expectedSum);
      expect(result.chunks).toBeGreaterThan(10);
    });

    it("streams a chunked response as it is produced, byte for byte", async () => {
      const started = performance.now();
      const response = await fetch(`${server.url}/stream/?chunks=8&size=3000&gap=60`);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const first = await reader.read();
      const firstAt = performance.now() - started;
      const parts = [first.value as Uint8Array];
      for (let i = 0; i < 100; i++) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
      }
      const total = performance.now() - started;
      const bytes = Buffer.concat(parts);
      expect(bytes.byteLength).toBe(8 * 3000);
      for (let n = 0; n < 8; n++) expect(bytes[n * 3000 + 5]).toBe((n + 5) % 256);
      // the first chunk arrived while the app was still producing the other seven
      expect(total - firstAt).toBeGreaterThanOrEqual(6 * 60 - 20);
    });

    it("delivers a 5 MB single-chunk stream intact", async () => {
      const response = await fetch(`${server.url}/stream/?chunks=1&size=5242880`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect(bytes.byteLength).toBe(5 * 1024 * 1024);
      expect(bytes[4_000_000]).toBe(4_000_000 % 256);
    });

    // Bun writes a late answer's head with one system call per header piece once the body is
    // 15 KB or more, so the pool sends such a body as a stream (docs/performance.md)
    describe("a complete body of 15 KB or more", () => {
      const expected = new Uint8Array(65536).map((_, i) => i % 251);

      it("arrives intact, chunked, with the content type Bun gives bytes", async () => {
        const response = await fetch(`${server.url}/large/`);
        expect(response.headers.get("content-type")).toBe("application/octet-stream");
        expect(response.headers.get("transfer-encoding")).toBe("chunked");
        expect(response.headers.get("content-length")).toBeNull();
        expect(new Uint8Array(await response.arrayBuffer())).toEqual(expected);
      });

      it("arrives intact as UTF-8 text, with the content type Bun gives a string", async () => {
        const response = await fetch(`${server.url}/large/?as=text&size=20000`);
        expect(response.headers.get("content-type")).toBe("text/plain;charset=utf-8");
        expect(await response.text()).toBe("é".repeat(20000));
      });

      it("keeps the content-length the app set itself", async () => {
        const response = await fetch(`${server.url}/large/?length=own`);
        expect(response.headers.get("content-length")).toBe("65536");
        expect(response.headers.get("transfer-encoding")).toBeNull();
        expect(new Uint8Array(await response.arrayBuffer())).toEqual(expected);
      });

      it("answers HEAD with the body's length and no body", async () => {
        const response = await fetch(`${server.url}/large/`, { method: "HEAD" });
        expect(response.headers.get("content-length")).toBe("65536");
        expect((await response.arrayBuffer()).byteLength).toBe(0);
      });

      it("leaves a body just under the limit with its content-length", async () => {
        const response = await fetch(`${server.url}/large/?size=15359`);
        expect(response.headers.get("content-length")).toBe("15359");
        expect((await response.arrayBuffer()).byteLength).toBe(15359);
      });
    });

    it("keeps an SSE stream open and cancels it in the app when the client leaves", async () => {
      const controller = new AbortController();
      const response = await fetch(`${server.url}/sse/events`, { signal: controller.signal });
      expect(response.headers.get("content-type")).toBe("text/event-stream");
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = "";
      for (let i = 0; i < 50 && !text.includes("tick 3"); i++)
        text += decoder.decode((await reader.read()).value);
      expect(text).toContain("data: tick 1\n\n");
      expect(text).toContain("tick 3");
      controller.abort();
      let status = { opened: 0, cancelled: 0 };
      for (let i = 0; i < 100 && status.cancelled < 1; i++) {
        await Bun.sleep(20);
        status = (await (await fetch(`${server.url}/sse/status`)).json()) as typeof status;
      }
      expect(status).toEqual({ opened: 1, cancelled: 1 });
    });
  });

  describe("a client that leaves before the answer", () => {
    it("aborts the app's request.signal and frees the request", async () => {
      const controller = new AbortController();
      const pending = fetch(`${server.url}/long-poll/wait`, { signal: controller.signal }).catch(
        () => "aborted",
      );
      // a sandbox may take longer than a thread to start: wait for the request to be in flight
      expect(await eventually(() => pool.stats().apps["long-poll@0.0.0"]?.active === 1)).toBe(true);
      controller.abort();
      expect(await pending).toBe("aborted");
      let status = { aborted: 0 };
      for (let i = 0; i < 100 && status.aborted < 1; i++) {
        await Bun.sleep(20);
        status = (await (await fetch(`${server.url}/long-poll/status`)).json()) as typeof status;
      }
      expect(status.aborted).toBe(1);
      expect(pool.stats().apps["long-poll@0.0.0"]?.active).toBe(0);
      expect(pool.stats().apps["long-poll@0.0.0"]?.errors).toBe(0);
    });
  });

  describe("the pool without a server in front", () => {
    it("keeps a custom status text", async () => {
      const response = await pool.fetch(
        fixture("echo"),
        new Request("http://app.test/", { method: "POST", body: "x" }),
      );
      expect(response.status).toBe(201);
      expect(response.statusText).toBe("Made");
      expect(await response.text()).toBe("x");
    });

    it("shows the app the URL and headers given as overrides (null removes one), with the request's method and body", async () => {
      const response = await pool.fetch(
        fixture("echo"),
        new Request("http://app.test/outer/path?q=1", {
          method: "POST",
          headers: { "x-custom": "original", "x-kept": "yes", authorization: "Bearer secret" },
          body: "x",
        }),
        {
          url: "http://app.test/path?q=1",
          headers: { "x-custom": "replaced", "x-added": "new", authorization: null, "x-absent": null },
        },
      );
      expect(response.headers.get("x-method")).toBe("POST");
      expect(response.headers.get("x-url")).toBe("http://app.test/path?q=1");
      const seen = new Map(JSON.parse(response.headers.get("x-headers") ?? "[]") as [string, string][]);
      expect(seen.get("x-custom")).toBe("replaced");
      expect(seen.get("x-added")).toBe("new");
      expect(seen.get("x-kept")).toBe("yes");
      expect(seen.has("authorization")).toBe(false);
      expect(seen.has("x-absent")).toBe(false);
      expect(await response.text()).toBe("x");
    });
  });
});
