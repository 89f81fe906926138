import { describe, expect, it } from "bun:test";
import { createKernel } from "@buntime/kernel";
import { inlinePlugin, tempDir, withHooks } from "./support/kernel-fixture.ts";

function slowKernel(shutdownTimeout: number, calls: string[] = []) {
  return createKernel({
    config: { home: tempDir(), port: 0, hostname: "127.0.0.1", shutdownTimeout },
    logSink: () => {},
    plugins: [
      inlinePlugin("first", {}, withHooks({ onShutdown: () => void calls.push("first") })),
      inlinePlugin(
        "slow",
        { base: "/", dependencies: { first: "*" } },
        withHooks({
          fetch: async (req) => {
            await Bun.sleep(Number(new URL(req.url).searchParams.get("ms")));
            return new Response("finished");
          },
          onShutdown: () => void calls.push("slow"),
        }),
      ),
    ],
  });
}

describe("graceful shutdown", () => {
  it("finishes a request in flight before stopping, then runs onShutdown in reverse order", async () => {
    const calls: string[] = [];
    const kernel = slowKernel(5_000, calls);
    await kernel.start();
    const url = await kernel.listen();
    const inflight = fetch(new URL("/?ms=300", url));
    await Bun.sleep(50);
    const stopped = kernel.stop();
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("finished");
    await stopped;
    expect(calls).toEqual(["slow", "first"]);
    await expect(fetch(new URL("/?ms=0", url))).rejects.toThrow();
  });

  it("cuts off requests still running at the deadline and still stops", async () => {
    const kernel = slowKernel(100);
    await kernel.start();
    const url = await kernel.listen();
    const inflight = fetch(new URL("/?ms=5000", url)).then(
      (res) => res.status,
      () => "cut off",
    );
    await Bun.sleep(30);
    const started = performance.now();
    await kernel.stop();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(await inflight).toBe("cut off");
  });

  it("lets plugins end their endless streams in onShutdown instead of waiting for the deadline", async () => {
    const streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
    const kernel = createKernel({
      config: { home: tempDir(), port: 0, hostname: "127.0.0.1", shutdownTimeout: 5_000 },
      logSink: () => {},
      plugins: [
        inlinePlugin(
          "tail",
          { base: "/tail" },
          withHooks({
            fetch: () =>
              new Response(
                new ReadableStream<Uint8Array>({
                  start(controller) {
                    streams.add(controller);
                    controller.enqueue(new TextEncoder().encode("data: hello\n\n"));
                  },
                }),
                { headers: { "content-type": "text/event-stream" } },
              ),
            onShutdown: () => {
              for (const stream of streams) stream.close();
            },
          }),
        ),
      ],
    });
    await kernel.start();
    const url = await kernel.listen();
    const res = await fetch(new URL("/tail", url));
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: hello\n\n");
    const started = performance.now();
    await kernel.stop();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect((await reader.read()).done).toBe(true);
  });
});
