import { describe, expect, it } from "bun:test";
import { parsePluginPackage } from "@buntime/sdk";

const parse = (buntime: object) => parsePluginPackage({ name: "x", version: "1.0.0", buntime }, "here");

describe("the manifest's icon, screenshots and health check", () => {
  it("reads them, with defaults for caption and timeout", () => {
    const { buntime } = parse({
      kernel: "*",
      base: "/x",
      icon: "assets/icon.png",
      screenshots: [{ path: "assets/shot-1.webp", caption: "The list" }, { path: "a.JPG" }],
      health: { path: "/health" },
    });
    expect(buntime.icon).toBe("assets/icon.png");
    expect(buntime.screenshots).toEqual([
      { path: "assets/shot-1.webp", caption: "The list" },
      { path: "a.JPG", caption: "" },
    ]);
    expect(buntime.health).toEqual({ path: "/health", timeoutMs: 5000 });
  });

  it.each([
    "../etc/passwd.png",
    "/abs/icon.png",
    "a/../../b.png",
    "a/./b.png",
    "a//b.png",
    "a\\b.png",
    "C:/x.png",
  ])("refuses the package path %p, naming the field", (icon) => {
    expect(() => parse({ kernel: "*", icon })).toThrow(
      "buntime.icon: expected a file inside the package such as assets/icon.png",
    );
  });

  it("refuses SVG with its reason and other types by extension", () => {
    expect(() => parse({ kernel: "*", icon: "icon.svg" })).toThrow(
      "buntime.icon: SVG is refused (it can carry scripts); use a PNG, JPEG or WebP image",
    );
    expect(() => parse({ kernel: "*", screenshots: [{ path: "s.gif" }] })).toThrow(
      "buntime.screenshots[0].path: expected a .png, .jpg, .jpeg or .webp image",
    );
    expect(() => parse({ kernel: "*", screenshots: Array(9).fill({ path: "s.png" }) })).toThrow(
      "buntime.screenshots: at most 8 screenshots",
    );
  });

  it("refuses a health check without a base, outside it, or with a bad timeout", () => {
    expect(() => parse({ kernel: "*", health: { path: "/health" } })).toThrow(
      "buntime.health: a health check needs a base (buntime.base): its path is under it",
    );
    for (const path of [
      "health",
      "/../admin",
      "/a/../../b",
      "//evil.test/x",
      "/h?x=1",
      "/h#x",
      "/%2e%2e/admin",
    ]) {
      expect(() => parse({ kernel: "*", base: "/x", health: { path } })).toThrow(
        "buntime.health.path: expected a path",
      );
    }
    expect(() => parse({ kernel: "*", base: "/x", health: { path: "/h", timeoutMs: 10 } })).toThrow(
      "buntime.health.timeoutMs",
    );
  });
});
