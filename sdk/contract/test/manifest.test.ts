import { describe, expect, it } from "bun:test";
import { parsePluginPackage } from "@buntime/sdk";

describe("parsePluginPackage", () => {
  it("applies the manifest's defaults", () => {
    const pkg = parsePluginPackage(
      { name: "@acme/auth", version: "1.2.0", buntime: { kernel: "^0.1" } },
      "here",
    );
    expect(pkg.buntime).toEqual({
      kernel: "^0.1",
      dependencies: {},
      optionalDependencies: {},
      provides: [],
      consumes: [],
      permissions: { network: [], env: [], storage: false },
      mode: "persistent",
    });
  });

  it("names the package, every bad field and what was expected", () => {
    expect(() =>
      parsePluginPackage(
        {
          name: "auth",
          version: "1.0.0",
          buntime: { kernel: "^1", base: "/a/", provides: [7], mode: "shared" },
        },
        "/plugins/auth",
      ),
    ).toThrow(
      'auth@1.0.0 (/plugins/auth): invalid plugin manifest: buntime.base: expected a URL prefix such as /auth (leading slash, no trailing slash); buntime.provides[0]: Invalid input: expected string, received number; buntime.mode: Invalid option: expected one of "persistent"|"isolated"',
    );
  });

  it("names the source when the package has no name", () => {
    expect(() => parsePluginPackage({ version: "1.0.0" }, "/plugins/x")).toThrow(
      "/plugins/x: invalid plugin manifest: name: Invalid input: expected string, received undefined; buntime: Invalid input: expected object, received undefined",
    );
  });

  it.each(["Auth", "../auth", "@scope", "a b"])("refuses the package name %p", (name) => {
    expect(() => parsePluginPackage({ name, version: "1.0.0", buntime: { kernel: "*" } }, "x")).toThrow(
      "name: expected an npm package name",
    );
  });
});
