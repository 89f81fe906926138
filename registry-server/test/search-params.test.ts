import { describe, expect, it } from "bun:test";
import { call, startTestRegistry } from "./helpers/registry.ts";

describe("search parameters", () => {
  it("answers the defaults when none are given", async () => {
    const registry = await startTestRegistry();
    const found = await call(registry.base, "GET", "/-/v1/search?text=nothing-here");
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ objects: [], total: 0 });
  });

  it.each([
    ["text", `text=${"a".repeat(257)}`, "text: at most 256 characters"],
    ["size 0", "text=x&size=0", "size: Too small: expected number to be >=1"],
    ["size over 250", "text=x&size=251", "size: Too big: expected number to be <=250"],
    ["a size that is no number", "text=x&size=lots", "size: Invalid input: expected number, received NaN"],
    ["a fractional size", "text=x&size=2.5", "size: Invalid input: expected int, received number"],
    ["a negative from", "text=x&from=-1", "from: Too small: expected number to be >=0"],
    ["a huge from", "text=x&from=1e9", "from: Too big: expected number to be <=1000000"],
  ])("refuses %s with a coded 400 naming the parameter", async (_, query, details) => {
    const registry = await startTestRegistry();
    const refused = await call(registry.base, "GET", `/-/v1/search?${query}`);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toEqual({
      code: "BUNTIME_ERR_REGISTRY_SEARCH_INVALID",
      message: `invalid search: ${details}`,
    });
  });
});
