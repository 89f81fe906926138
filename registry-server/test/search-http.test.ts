import { describe, expect, it } from "bun:test";
import { call, startTestRegistry } from "./helpers/registry.ts";
import { HOSTILE_QUERIES } from "./helpers/search-contract.ts";
import { packageTgz } from "./helpers/tarball.ts";

const registry = await startTestRegistry();
const plugin = (more: Record<string, unknown>) => ({ buntime: { kernel: "^0.1.0" }, ...more });
await registry.publishTarball(packageTgz("auth", "1.0.0", plugin({ description: "sign-in" })));
await registry.publishTarball(packageTgz("gatekeeper", "1.0.0", plugin({ keywords: ["auth"] })));
await registry.publishTarball(
  packageTgz("session-store", "1.0.0", plugin({ description: "works with auth" })),
);
await registry.publishTarball(packageTgz("left-pad", "1.0.0", { description: "pads strings" }));

const npmSearch = (text: string) =>
  call(registry.base, "GET", `/-/v1/search?text=${encodeURIComponent(text)}`);
const marketplace = (q: string) =>
  call(registry.base, "GET", `/-/marketplace/plugins?q=${encodeURIComponent(q)}`);

describe("search over HTTP", () => {
  it("answers npm search and the marketplace in relevance order, by prefix and with every word", async () => {
    const npmNames = (await npmSearch("auth")).body.objects.map(
      (o: { package: { name: string } }) => o.package.name,
    );
    expect(npmNames).toEqual(["auth", "gatekeeper", "session-store"]);
    const first = (await npmSearch("auth")).body.objects[0];
    expect(first.searchScore).toBe(1);
    const plugins = (q: string) =>
      marketplace(q).then((r) => r.body.plugins.map((p: { name: string }) => p.name));
    expect(await plugins("auth")).toEqual(["auth", "gatekeeper", "session-store"]);
    expect(await plugins("sess")).toEqual(["session-store"]);
    expect(await plugins("works auth")).toEqual(["session-store"]);
    expect(await plugins("pads")).toEqual([]); // not a plugin
    expect(
      (await npmSearch("pad str")).body.objects.map((o: { package: { name: string } }) => o.package.name),
    ).toEqual(["left-pad"]);
  });

  it("keeps npm's qualifiers beside the free text", async () => {
    const found = await npmSearch("keywords:auth auth");
    expect(found.body.objects.map((o: { package: { name: string } }) => o.package.name)).toEqual([
      "gatekeeper",
    ]);
  });

  it("answers hostile query strings with results or a coded 400, never a 500", async () => {
    for (const text of HOSTILE_QUERIES) {
      for (const answer of [await npmSearch(text.slice(0, 256)), await marketplace(text.slice(0, 256))]) {
        expect(answer.status).toBe(200);
      }
    }
    expect((await npmSearch('"auth*')).body.total).toBe(3);
    expect((await marketplace("*")).body.total).toBe(0);
    const long = await marketplace("x".repeat(257));
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe("BUNTIME_ERR_BAD_REQUEST");
    expect(long.body.error.message).toContain("q must be at most 256 characters");
    expect((await npmSearch("x".repeat(257))).status).toBe(400);
  });
});
