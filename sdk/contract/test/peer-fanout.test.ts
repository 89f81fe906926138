import { afterAll, describe, expect, it } from "bun:test";
import { askPeers, type FanoutOptions, PEER_ANSWER_BYTES } from "@buntime/sdk";
import { z } from "zod";

const TOKEN = "t".repeat(32);
const servers: ReturnType<typeof Bun.serve>[] = [];
afterAll(() => {
  for (const server of servers) server.stop(true);
});

/** A node on a free port of 127.0.0.1 answering every request with `answer`; remembers what it was sent. */
function node(answer: (request: Request) => Response | Promise<Response>) {
  const seen: { url: string; authorization: string | null }[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      seen.push({ url: request.url, authorization: request.headers.get("authorization") });
      return answer(request);
    },
  });
  servers.push(server);
  return { address: server.url.origin, seen };
}

const options: FanoutOptions<{ n: number }> = {
  path: "/x/peer/answer?q=1",
  token: { value: TOKEN, setting: "x.token" },
  timeoutMs: 500,
  maxBytes: 1024,
  schema: z.object({ n: z.number() }),
  expected: "an x answer",
};

/** A body sent in pieces with no content-length, the way a node may hide how large it is. */
function chunked(
  pieces: number,
  size: number,
  pulls: { count: number; cancelled: boolean },
): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      if (pulls.count++ === pieces) controller.close();
      else controller.enqueue(new Uint8Array(size).fill(32));
    },
    cancel() {
      pulls.cancelled = true;
    },
  });
}

describe("askPeers", () => {
  it("asks every node at once with the token at its own address, and answers in their order", async () => {
    const slow = node(async () => {
      await Bun.sleep(200);
      return Response.json({ n: 1 });
    });
    const fast = node(() => Response.json({ n: 2, extra: "dropped" }));
    const started = performance.now();
    const answers = await askPeers(
      [
        { node: "slow", address: slow.address },
        { node: "fast", address: `${fast.address}/ignored/base` },
      ],
      { ...options, timeoutMs: 2000 },
    );
    expect(performance.now() - started).toBeLessThan(390); // not one after the other
    expect(answers).toEqual([
      { node: "slow", status: "ok", value: { n: 1 } },
      { node: "fast", status: "ok", value: { n: 2 } },
    ]);
    const [request] = fast.seen;
    expect(request?.url).toBe(`${fast.address}/x/peer/answer?q=1`);
    expect(request?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("lists a node that sends no headers in time as missing, without waiting for it", async () => {
    const late = node(() => Bun.sleep(3000).then(() => Response.json({ n: 1 })));
    const started = performance.now();
    const answers = await askPeers([{ node: "late", address: late.address }], options);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(answers).toEqual([{ node: "late", status: "missing", reason: "no answer within 500 ms" }]);
  });

  it("lists a node that sends its headers and then stalls its body as missing at the timeout", async () => {
    const stalled = node(
      () =>
        new Response(
          new ReadableStream({
            async pull(controller) {
              controller.enqueue(new TextEncoder().encode('{"n":'));
              await Bun.sleep(3000);
              controller.close();
            },
          }),
          { headers: { "content-type": "application/json" } },
        ),
    );
    const started = performance.now();
    const answers = await askPeers([{ node: "stalled", address: stalled.address }], options);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(answers).toEqual([{ node: "stalled", status: "missing", reason: "no answer within 500 ms" }]);
  });

  it("never follows a redirect: the token stays with the recorded address", async () => {
    const elsewhere = node(() => Response.json({ n: 9 }));
    const moved = node(() => Response.redirect(`${elsewhere.address}/stolen`, 302));
    const answers = await askPeers([{ node: "moved", address: moved.address }], options);
    expect(answers).toEqual([{ node: "moved", status: "missing", reason: "it answered 302" }]);
    expect(elsewhere.seen).toHaveLength(0);
  });

  it.each([
    [401, "it answered 401"],
    [500, "it answered 500"],
    [404, "it answered 404"],
  ])("lists a node answering %i as missing", async (status, reason) => {
    const failing = node(() => Response.json({ n: 1 }, { status }));
    const answers = await askPeers([{ node: "failing", address: failing.address }], options);
    expect(answers).toEqual([{ node: "failing", status: "missing", reason }]);
  });

  it("refuses a declared length past the cap without reading it", async () => {
    const big = node(() => Response.json({ n: 1, pad: "x".repeat(2000) }));
    const answers = await askPeers([{ node: "big", address: big.address }], options);
    expect(answers).toEqual([
      { node: "big", status: "missing", reason: "its answer is larger than 1024 bytes" },
    ]);
  });

  it("stops reading a streamed answer at the first byte past the cap", async () => {
    const pulls = { count: 0, cancelled: false };
    const endless = node(() => new Response(chunked(100_000, 512, pulls)));
    const answers = await askPeers([{ node: "endless", address: endless.address }], {
      ...options,
      timeoutMs: 5000,
    });
    expect(answers).toEqual([
      { node: "endless", status: "missing", reason: "its answer is larger than 1024 bytes" },
    ]);
    // the node fills the sockets' buffers (a few MB on loopback), then is cut off: not the 50 MB it had
    await Bun.sleep(100);
    expect(pulls.cancelled).toBe(true);
    expect(pulls.count).toBeLessThan(50_000);
  });

  it("takes an answer of exactly the cap, and caps at 4 MiB when no cap is given", async () => {
    const exact = node(() => new Response(JSON.stringify({ n: 1 }).padEnd(1024, " ")));
    const answers = await askPeers([{ node: "exact", address: exact.address }], options);
    expect(answers).toEqual([{ node: "exact", status: "ok", value: { n: 1 } }]);
    expect(PEER_ANSWER_BYTES).toBe(4 * 1024 * 1024);
    const huge = node(() => new Response(" ".repeat(PEER_ANSWER_BYTES + 1)));
    const { maxBytes: _, ...uncapped } = options;
    expect(await askPeers([{ node: "huge", address: huge.address }], uncapped)).toEqual([
      { node: "huge", status: "missing", reason: `its answer is larger than ${PEER_ANSWER_BYTES} bytes` },
    ]);
  });

  it.each([
    ["bad JSON", () => new Response("{not json")],
    ["an empty body", () => new Response(null, { status: 204 })],
    ["JSON of the wrong shape", () => Response.json({ n: "<b>" })],
  ])("lists a node sending %s as missing", async (_, answer) => {
    const wrong = node(answer);
    const answers = await askPeers([{ node: "wrong", address: wrong.address }], options);
    expect(answers).toEqual([{ node: "wrong", status: "missing", reason: "its answer is not an x answer" }]);
  });

  it("asks no node without an address, without a token, or at an address that is no http URL", async () => {
    const asked = node(() => Response.json({ n: 1 }));
    expect(
      await askPeers(
        [
          { node: "nowhere" },
          { node: "garbled", address: "not a url" },
          { node: "file", address: "file:///etc/passwd" },
        ],
        options,
      ),
    ).toEqual([
      {
        node: "nowhere",
        status: "missing",
        reason: "it recorded no address (cluster.address, BUNTIME_NODE_ADDRESS)",
      },
      { node: "garbled", status: "missing", reason: "its address is not a URL: not a url" },
      { node: "file", status: "missing", reason: "its address is not http(s): file:///etc/passwd" },
    ]);
    const tokenless = { ...options, token: { value: undefined, setting: "x.token" } };
    expect(await askPeers([{ node: "b", address: asked.address }], tokenless)).toEqual([
      { node: "b", status: "missing", reason: "x.token is not set on this node" },
    ]);
    expect(asked.seen).toHaveLength(0);
  });

  it("lists a node nothing listens at as unreachable, and still answers the others", async () => {
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    const address = closed.url.origin;
    closed.stop(true);
    const up = node(() => Response.json({ n: 3 }));
    const answers = await askPeers(
      [
        { node: "down", address },
        { node: "up", address: up.address },
      ],
      options,
    );
    expect(answers[0]).toEqual({
      node: "down",
      status: "missing",
      reason: expect.stringContaining("unreachable"),
    });
    expect(answers[1]).toEqual({ node: "up", status: "ok", value: { n: 3 } });
  });
});
