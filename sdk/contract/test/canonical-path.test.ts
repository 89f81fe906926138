import { describe, expect, it } from "bun:test";
import { canonicalPath, PathRefusal } from "../src/canonical-path.ts";

describe("canonicalPath", () => {
  it.each([
    ["/notes/", "/notes/"],
    ["/", "/"],
    ["/%6eotes/", "/notes/"],
    ["/%6Eotes", "/notes"],
    ["/./notes", "/notes"],
    ["//notes", "/notes"],
    ["/notes//x///", "/notes/x/"],
    ["/x/../notes", "/notes"],
    ["/x/%2e%2e/notes", "/notes"],
    ["/x/%2E%2e/%2E/notes/", "/notes/"],
    ["/../../notes", "/notes"],
    ["/notes/x/..", "/notes/"],
    ["/notes/.", "/notes/"],
    ["/a%20b/%c3%a9", "/a%20b/%C3%A9"],
    ["/%252e%252e/x", "/%252e%252e/x"],
    ["/%2525", "/%2525"],
    ["/.well-known/x", "/.well-known/x"],
    ["/a/..b/c.", "/a/..b/c."],
    ["/Notes", "/Notes"],
    ["/notes%2f", "/notes%2F"],
    ["/a%2f..%2fb", "/a%2F..%2Fb"],
    ["/a%5c..", "/a%5C.."],
    ["/keys/%E6%97%A5%2F%C3%A4%20b", "/keys/%E6%97%A5%2F%C3%A4%20b"],
  ])("%s is %s", (raw, canonical) => {
    expect(canonicalPath(raw)).toBe(canonical);
  });

  it.each([
    ["/a%00", "an encoded NUL"],
    ["/a\\..\\b", "a backslash or NUL"],
    ["/a\0b", "a backslash or NUL"],
    ["/a%", "a % not followed by two hex digits"],
    ["/a%2", "a % not followed by two hex digits"],
    ["/a%zz", "a % not followed by two hex digits"],
  ])("refuses %j", (raw, reason) => {
    const refused = canonicalPath(raw);
    expect(refused).toBeInstanceOf(PathRefusal);
    expect((refused as PathRefusal).reason).toBe(reason);
  });

  it("returns a canonical path as the same string (no copy on the hot path)", () => {
    const path = "/api/users/42";
    expect(canonicalPath(path)).toBe(path);
  });
});
