import { describe, expect, it } from "bun:test";
import { decisionHeaders } from "@buntime/plugin-ratelimit";
import { withDecisionHeaders } from "../src/headers.ts";

const allowed = {
  policy: "api",
  allowed: true,
  limit: 100,
  remaining: 41,
  resetMs: 1500,
  retryAfterMs: 0,
  windowMs: 60_000,
};

describe("withDecisionHeaders", () => {
  it("sets on the answer itself the headers decisionHeaders names: RateLimit-*, and no Retry-After when allowed", () => {
    const response = new Response("hello", { headers: { "content-type": "text/plain" } });
    const stamped = withDecisionHeaders(response, allowed);
    expect(stamped).toBe(response);
    const set = Object.fromEntries([...stamped.headers].filter(([name]) => name.startsWith("ratelimit-")));
    const expected = Object.fromEntries(
      Object.entries(decisionHeaders(allowed)).map(([name, value]) => [name.toLowerCase(), value]),
    );
    expect(set).toEqual(expected);
    expect(set).toEqual({
      "ratelimit-limit": "100",
      "ratelimit-remaining": "41",
      "ratelimit-reset": "2",
      "ratelimit-policy": "100;w=60",
    });
    expect(stamped.headers.get("retry-after")).toBeNull();
    expect(stamped.headers.get("content-type")).toBe("text/plain");
  });
});

describe("decisionHeaders", () => {
  it("adds Retry-After, at least 1 second, to a refusal's headers", () => {
    const refused = { ...allowed, allowed: false, remaining: 0, retryAfterMs: 10 };
    expect(decisionHeaders(refused)).toEqual({
      "RateLimit-Limit": "100",
      "RateLimit-Remaining": "0",
      "RateLimit-Reset": "2",
      "RateLimit-Policy": "100;w=60",
      "Retry-After": "1",
    });
  });
});
