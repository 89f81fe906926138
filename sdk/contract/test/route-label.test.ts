import { describe, expect, it } from "bun:test";
import { routeLabelOf } from "../src/index.ts";

describe("routeLabelOf", () => {
  it.each([
    ["/", "/"],
    ["/hello", "/hello"],
    ["/hello/x/y", "/hello"],
    ["/hello@^1/x", "/hello"],
    ["/hello@1.2.0", "/hello"],
    ["/@x/y", "/"],
    ["//double", "/"],
  ])("labels %s as %s", (path, route) => {
    expect(routeLabelOf(path)).toBe(route);
  });
});
