import { describe, expect, it } from "bun:test";
import { raw, startTestProxy } from "./support.ts";

const MALFORMED: readonly (readonly [string, string])[] = [
  ["garbage", "garbage\r\n\r\n"],
  ["binary bytes", "\u0000\u0001\u0002\u00ff\r\n\r\n"],
  ["CONNECT without a target", "CONNECT\r\n\r\n"],
  ["CONNECT without a port", "CONNECT api.test HTTP/1.1\r\n\r\n"],
  ["CONNECT to port 0", "CONNECT api.test:0 HTTP/1.1\r\n\r\n"],
  ["CONNECT to a port past 65535", "CONNECT api.test:99999 HTTP/1.1\r\n\r\n"],
  ["CONNECT with user info", "CONNECT user@api.test:443 HTTP/1.1\r\n\r\n"],
  ["CONNECT with a path", "CONNECT api.test:443/x HTTP/1.1\r\n\r\n"],
  ["CONNECT to a broken IPv6", "CONNECT [::1:443 HTTP/1.1\r\n\r\n"],
  ["CONNECT to an IPv6 zone", "CONNECT [fe80::1%25eth0]:443 HTTP/1.1\r\n\r\n"],
  ["CONNECT to a host with a bad label", "CONNECT -bad-.test:443 HTTP/1.1\r\n\r\n"],
  ["CONNECT to a name ending in digits", "CONNECT api.123:443 HTTP/1.1\r\n\r\n"],
  ["an origin-form request", "GET / HTTP/1.1\r\nHost: api.test\r\n\r\n"],
  ["https in absolute form", "GET https://api.test/ HTTP/1.1\r\nHost: api.test\r\n\r\n"],
  ["another scheme", "GET ftp://api.test/ HTTP/1.1\r\nHost: api.test\r\n\r\n"],
  ["credentials in the URI", "GET http://user:pw@api.test/ HTTP/1.1\r\nHost: api.test\r\n\r\n"],
  ["an unparsable URI", "GET http://[::1/ HTTP/1.1\r\nHost: x\r\n\r\n"],
  [
    "a WebSocket upgrade in absolute form",
    "GET http://api.test/ HTTP/1.1\r\nHost: api.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
  ],
  ["a request head past the cap", `GET http://api.test/ HTTP/1.1\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`],
];

describe("the egress proxy survives hostile input", () => {
  it.each(MALFORMED)("answers 400 to %s", async (_name, request) => {
    const { socketPath } = await startTestProxy({ hosts: ["api.test"] });
    const answer = await raw(socketPath, request);
    expect(answer).toStartWith("HTTP/1.1 400 Bad Request\r\n");
    expect(answer).toContain("BUNTIME_ERR_POOL_EGRESS_BAD_REQUEST");
  });

  it("answers 400 to a negative Content-Length (Bun's parser answers that one itself, without our code)", async () => {
    const { socketPath } = await startTestProxy({ hosts: ["api.test"] });
    const answer = await raw(socketPath, "POST http://api.test/ HTTP/1.1\r\nContent-Length: -1\r\n\r\n");
    expect(answer).toStartWith("HTTP/1.1 400 Bad Request\r\n");
  });

  it("keeps answering after a run of random requests (none crash it, none get through)", async () => {
    const { socketPath } = await startTestProxy({ hosts: [] });
    const parts = [
      "CONNECT ",
      "GET ",
      "http://",
      "api.test",
      ":443",
      ":",
      "[",
      "]",
      "::1",
      " HTTP/1.1",
      "\r\n",
      "Host: x",
      "%00",
      "\u0000",
      "é",
      "@",
      "/",
      " ",
      "*.",
      "0x7f.1",
    ];
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed;
    };
    for (let round = 0; round < 60; round++) {
      const length = 1 + (next() % 12);
      const request = `${Array.from({ length }, () => parts[next() % parts.length]).join("")}\r\n\r\n`;
      const answer = await raw(socketPath, request, 500);
      const status = answer.slice(0, 12);
      expect([request, ["", "HTTP/1.1 400", "HTTP/1.1 403"].includes(status)]).toEqual([request, true]);
    }
    const after = await raw(socketPath, "CONNECT evil.test:443 HTTP/1.1\r\n\r\n");
    expect(after).toStartWith("HTTP/1.1 403 Forbidden");
  });
});
