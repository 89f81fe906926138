import { afterEach, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel } from "@buntime/kernel";
import { cleanUp, onCleanUp, proxyPlugin, startUpstream, within } from "./support.ts";

afterEach(cleanUp);

function signal() {
  let fire = () => {};
  const fired = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fire, fired };
}

/** A listening kernel with the proxy and one rule `/stream/*` to `upstream`. */
async function listeningKernel(upstream: string): Promise<URL> {
  const home = mkdtempSync(join(tmpdir(), "proxy-stream-"));
  const kernel = createKernel({
    config: {
      home,
      port: 0,
      hostname: "127.0.0.1",
      plugins: { "@buntime/plugin-proxy": { rules: [{ id: "stream", path: "/stream/*", upstream }] } },
    },
    plugins: [proxyPlugin],
    logSink: () => {},
  });
  onCleanUp(() => rmSync(home, { recursive: true, force: true }));
  onCleanUp(() => kernel.stop());
  await kernel.start();
  return kernel.listen();
}

describe("streaming through the proxy", () => {
  it("sends the response's first chunk before the upstream has finished", async () => {
    const clientGotFirst = signal();
    const upstream = startUpstream(
      () =>
        new Response(
          new ReadableStream({
            async start(controller) {
              controller.enqueue(new TextEncoder().encode("data: first\n\n"));
              await clientGotFirst.fired;
              controller.enqueue(new TextEncoder().encode("data: second\n\n"));
              controller.close();
            },
          }),
          { headers: { "content-type": "text/event-stream" } },
        ),
    );
    const url = await listeningKernel(upstream);
    const response = await fetch(new URL("/stream/events", url));
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await within(reader.read(), "the first chunk");
    expect(new TextDecoder().decode(first.value)).toBe("data: first\n\n");
    clientGotFirst.fire();
    let rest = "";
    for (
      let chunk = await within(reader.read(), "the rest");
      !chunk.done;
      chunk = await within(reader.read(), "the rest")
    ) {
      rest += new TextDecoder().decode(chunk.value);
    }
    expect(rest).toBe("data: second\n\n");
  });

  it("passes the request body's first chunk upstream before the client has finished sending", async () => {
    const upstreamGotFirst = signal();
    const upstream = startUpstream(async (request) => {
      const reader = (request.body as ReadableStream<Uint8Array>).getReader();
      let received = "";
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        received += new TextDecoder().decode(chunk.value);
        if (received.includes("first")) upstreamGotFirst.fire();
      }
      return new Response(`upstream got: ${received}`);
    });
    const url = await listeningKernel(upstream);
    let push: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = controller;
        controller.enqueue(new TextEncoder().encode("first,"));
      },
    });
    const pending = fetch(new URL("/stream/upload", url), {
      method: "POST",
      body,
      duplex: "half",
    } as RequestInit);
    await within(upstreamGotFirst.fired, "the upstream to see the first chunk");
    push?.enqueue(new TextEncoder().encode("second"));
    push?.close();
    const response = await within(pending, "the response");
    expect(await response.text()).toBe("upstream got: first,second");
  });

  it("cancels the upstream request when the client goes away", async () => {
    const upstreamGotRequest = signal();
    const upstreamSawAbort = signal();
    const upstream = startUpstream((request) => {
      request.signal.addEventListener("abort", upstreamSawAbort.fire);
      upstreamGotRequest.fire();
      return new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("tick\n"));
          },
        }),
      );
    });
    const url = await listeningKernel(upstream);
    const client = new AbortController();
    const response = await fetch(new URL("/stream/forever", url), { signal: client.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await within(reader.read(), "the first tick")).value)).toBe("tick\n");
    await within(upstreamGotRequest.fired, "the upstream request");
    client.abort();
    await within(upstreamSawAbort.fired, "the upstream to see the client leave");
  });

  it("appends the client's address to x-forwarded-for", async () => {
    const upstream = startUpstream((request) => new Response(request.headers.get("x-forwarded-for")));
    const url = await listeningKernel(upstream);
    const direct = await fetch(new URL("/stream/who", url));
    expect(await direct.text()).toBe("127.0.0.1");
    const relayed = await fetch(new URL("/stream/who", url), {
      headers: { "x-forwarded-for": "198.51.100.7" },
    });
    expect(await relayed.text()).toBe("198.51.100.7, 127.0.0.1");
  });
});
