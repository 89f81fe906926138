/** Zip uploads: deployed like a tarball; unsafe paths and oversized archives refused unread, with nothing written. */
import { describe, expect, it } from "bun:test";
import { readdirSync } from "node:fs";
import { zipSync } from "fflate";
import { start, until } from "./support.ts";

const text = (value: string) => new TextEncoder().encode(value);
const post = (zip: Uint8Array) => ({
  method: "POST",
  body: zip as Uint8Array<ArrayBuffer>,
  headers: { "content-type": "application/zip" },
});

describe("zip uploads", () => {
  it("deploy a zipped app folder", async () => {
    const { admin, get } = await start();
    const zip = zipSync({
      "shop/package.json": text(JSON.stringify({ name: "shop", version: "1.0.0", buntime: { app: {} } })),
      "shop/index.ts": text('export default { fetch: () => new Response("zipped") };'),
    });
    const response = await admin("/deployments/api/apps", post(zip));
    expect(response.status).toBe(201);
    expect(await until(async () => (await (await get("/shop/")).text()) === "zipped")).toBe(true);
  });

  it("refuse a ../ entry and more files than the limit, writing nothing", async () => {
    const { admin, apps } = await start();
    const outside = zipSync({
      "package.json": text(JSON.stringify({ name: "evil", version: "1.0.0", buntime: { app: {} } })),
      "../../escape.ts": text("pwned"),
    });
    const dots = await admin("/deployments/api/apps", post(outside));
    expect(dots.status).toBe(400);
    expect(await dots.text()).toContain("leads outside the app");

    const many: Record<string, Uint8Array> = {};
    for (let i = 0; i <= 5000; i++) many[`f${i}.txt`] = new Uint8Array(0);
    const crowded = await admin("/deployments/api/apps", post(zipSync(many, { level: 0 })));
    expect(crowded.status).toBe(400);
    expect(await crowded.text()).toContain("more than 5000 files");
    expect(readdirSync(apps).filter((entry) => entry !== ".staging")).toEqual([]);
  });
});
