import { afterEach, describe, expect, it } from "bun:test";
import { ADMIN, cleanUp, errorOf, fakeAuth, startProxy } from "./support.ts";

afterEach(cleanUp);

describe("the rules API's body cap", () => {
  it("refuses a body over 16 KiB with a coded 413 and adds no rule", async () => {
    const kernel = await startProxy({ plugins: [fakeAuth] });
    const before = await (
      await kernel.fetch("/proxy/api/rules", { headers: { authorization: ADMIN } })
    ).json();
    const response = await kernel.fetch("/proxy/api/rules", {
      method: "POST",
      headers: { authorization: ADMIN, "content-type": "application/json" },
      body: JSON.stringify({
        id: "big",
        path: "/big/*",
        upstream: "http://127.0.0.1:1",
        note: "x".repeat(20_000),
      }),
    });
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toEqual({
      code: "BUNTIME_ERR_BODY_TOO_LARGE",
      message: "/proxy/api/rules accepts request bodies up to 16384 bytes",
    });
    const after = await (
      await kernel.fetch("/proxy/api/rules", { headers: { authorization: ADMIN } })
    ).json();
    expect(after).toEqual(before);
  });
});
