import { describe, expect, it } from "bun:test";
import { checkKernelRange, isCandidate, orderByDependencies, satisfiesRange } from "@buntime/sdk";

describe("the one prerelease rule", () => {
  it.each([
    ["1.3.0-beta.1", "^1.0.0", true, false],
    ["1.2.0", "^1.0.0", true, true],
    ["2.0.0-rc.1", "^2.0.0-rc.0", true, true],
    ["2.0.0", "^1.0.0", false, false],
  ])("%s for %s: accepted when installed: %p, chosen to install: %p", (version, range, accepted, chosen) => {
    expect(satisfiesRange(version, range)).toBe(accepted);
    expect(isCandidate(version, range)).toBe(chosen);
  });

  it("admits a prerelease kernel for a plugin's kernel range, and names what does not fit", () => {
    expect(() => checkKernelRange("auth@1.0.0", "^0.1.0", "0.2.0-beta.1")).toThrow(
      "auth@1.0.0 requires kernel ^0.1.0, this kernel is 0.2.0-beta.1",
    );
    expect(() => checkKernelRange("auth@1.0.0", "^0.2.0-0", "0.2.0-beta.1")).not.toThrow();
  });
});

describe("the one dependency order", () => {
  const node = (name: string, dependencies = {}, optionalDependencies = {}) => ({
    name,
    version: "1.0.0",
    dependencies,
    optionalDependencies,
  });

  it("puts dependencies, optional ones included, before their dependents", () => {
    const ordered = orderByDependencies([
      node("ratelimit", {}, { auth: "^1" }),
      node("auth", {}, { storage: "^1" }),
      node("storage"),
    ]);
    expect(ordered.map((plugin) => plugin.name)).toEqual(["storage", "auth", "ratelimit"]);
  });

  it("names the whole chain of a cycle, optional edges included", () => {
    expect(() => orderByDependencies([node("a", { b: "^1" }), node("b", {}, { a: "^1" })])).toThrow(
      "a@1.0.0 -> b@^1 -> a@^1",
    );
  });
});
