import { describe, expect, it } from "bun:test";
import { BuntimeError, limitBody, SMALL_BODY_BYTES } from "@buntime/sdk";
import { Hono } from "hono";

function app(maxBytes?: number) {
  const reads: number[] = [];
  const hono = new Hono();
  hono.onError((error) =>
    error instanceof BuntimeError ? error.getResponse() : new Response("?", { status: 500 }),
  );
  hono.post("/api/echo", limitBody(maxBytes), async (c) => {
    const text = await c.req.text();
    reads.push(text.length);
    return c.text(text);
  });
  return { hono, reads };
}

/** A body sent in chunks with no content-length, the way a caller hides its size. */
function chunked(chunks: number, size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ === chunks) controller.close();
      else controller.enqueue(new Uint8Array(size).fill(120));
    },
  });
}

describe("limitBody", () => {
  it("passes a body up to the cap to the handler", async () => {
    const { hono, reads } = app(10);
    const response = await hono.request("/api/echo", { method: "POST", body: "0123456789" });
    expect(await response.text()).toBe("0123456789");
    expect(reads).toEqual([10]);
  });

  it("refuses a declared length over the cap with a coded 413 naming the path, unread", async () => {
    const { hono, reads } = app();
    const response = await hono.request("/api/echo", {
      method: "POST",
      body: "x".repeat(SMALL_BODY_BYTES + 1),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: {
        code: "BUNTIME_ERR_BODY_TOO_LARGE",
        message: "/api/echo accepts request bodies up to 16384 bytes",
      },
    });
    expect(reads).toEqual([]);
  });

  it("refuses a chunked body once it passes the cap, without reading the rest", async () => {
    const { hono, reads } = app(1024);
    let pulled = 0;
    const source = chunked(1_000, 512);
    const counted = source.pipeThrough(
      new TransformStream({
        transform(chunk, controller) {
          pulled++;
          controller.enqueue(chunk);
        },
      }),
    );
    const response = await hono.request(
      new Request("http://localhost/api/echo", {
        method: "POST",
        body: counted,
        headers: { "transfer-encoding": "chunked" },
        // @ts-expect-error: Bun needs duplex for a streamed request body
        duplex: "half",
      }),
    );
    expect(response.status).toBe(413);
    expect(reads).toEqual([]);
    expect(pulled).toBeLessThan(10);
  });
});
