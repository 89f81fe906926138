import { describe, expect, it } from "bun:test";
import { bundledDependencies, LENT_PACKAGES, unlentDependencies } from "@buntime/sdk";

describe("unlentDependencies", () => {
  it("names what a plugin needs at run time that the kernel does not lend, sorted and once", () => {
    expect(
      unlentDependencies({
        dependencies: { zod: "4", jose: "6", hono: "4" },
        optionalDependencies: { fflate: "0.8" },
        peerDependencies: { "@buntime/sdk": "*", jose: "6", "markdown-it": "14" },
        devDependencies: { typescript: "5" },
      }),
    ).toEqual(["fflate", "jose", "markdown-it"]);
  });

  it("lets optional peers, dev dependencies and lent packages pass", () => {
    const lent = Object.fromEntries(LENT_PACKAGES.map((name) => [name, "*"]));
    expect(
      unlentDependencies({
        dependencies: lent,
        peerDependencies: { jose: "6" },
        peerDependenciesMeta: { jose: { optional: true } },
        devDependencies: { "left-pad": "1" },
      }),
    ).toEqual([]);
  });

  it("ignores fields that are not objects instead of failing on hostile input", () => {
    expect(
      unlentDependencies({ dependencies: "jose", peerDependencies: null, optionalDependencies: 7 }),
    ).toEqual([]);
  });
});

describe("bundledDependencies", () => {
  it("reads bundleDependencies or its alias, sorted and once; true bundles every dependency", () => {
    expect(bundledDependencies({ bundleDependencies: ["oauth4webapi", "jose", "jose"] })).toEqual([
      "jose",
      "oauth4webapi",
    ]);
    expect(bundledDependencies({ bundledDependencies: ["jose"] })).toEqual(["jose"]);
    expect(bundledDependencies({ dependencies: { jose: "6", hono: "4" }, bundleDependencies: true })).toEqual(
      ["hono", "jose"],
    );
  });

  it("ignores values that are not a list of names or true", () => {
    expect(bundledDependencies({ bundleDependencies: "jose" })).toEqual([]);
    expect(bundledDependencies({ bundleDependencies: [7, null, "jose"] })).toEqual(["jose"]);
    expect(bundledDependencies({ bundleDependencies: true, dependencies: null })).toEqual([]);
  });
});
