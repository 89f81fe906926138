import { afterAll, describe, expect, it } from "bun:test";
import { gzipSync } from "node:zlib";
import { writeTar } from "@buntime/supply";
import { MediaCache } from "../src/marketplace/media.ts";
import { call, signUp, startTestRegistry } from "./helpers/registry.ts";
import { publishBody } from "./helpers/tarball.ts";

/** A real 1×1 PNG. */
const PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1, 0xff, 0xd9]);
const text = (value: string) => new TextEncoder().encode(value);

const registry = await startTestRegistry();
afterAll(() => registry.stop());
const token = await signUp(registry.base, "painter");

/** Publishes `name@version` with `buntime` extra fields and `files` (path → bytes). */
async function publish(name: string, version: string, buntime: object, files: Record<string, Uint8Array>) {
  const pkg = {
    name,
    version,
    description: "pictures",
    buntime: { kernel: "^0.1.0", base: "/pics", ...buntime },
  };
  const tarball = gzipSync(
    writeTar(
      [
        ["package.json", text(JSON.stringify(pkg))],
        ["index.js", text("export default {};\n")],
        ...Object.entries(files),
      ].map(([path, data]) => ({ path: `package/${path}`, data: data as Uint8Array, mode: 0o644 })),
    ),
  );
  return call(registry.base, "PUT", `/${name.replace("/", "%2f")}`, {
    token,
    body: publishBody(name, version, tarball),
  });
}

describe("a plugin's icon and screenshots in the registry", () => {
  it("checks them at publish, reports them, and serves them typed by content, nosniff and immutable", async () => {
    const published = await publish(
      "@art/pics",
      "1.0.0",
      { icon: "assets/icon.png", screenshots: [{ path: "shots/one.jpg", caption: "The list" }] },
      { "assets/icon.png": PNG, "shots/one.jpg": JPEG },
    );
    expect(published.status).toBe(201);
    expect(published.body.checks.media).toEqual([
      { field: "buntime.icon", path: "assets/icon.png", type: "image/png", bytes: PNG.length },
      { field: "buntime.screenshots[0].path", path: "shots/one.jpg", type: "image/jpeg", bytes: JPEG.length },
    ]);

    const list = await call(registry.base, "GET", "/-/marketplace/plugins?q=pics");
    const card = list.body.plugins.find((p: { name: string }) => p.name === "@art/pics");
    expect(card.icon).toMatch(/^-\/marketplace\/media\/@art\/pics\/1\.0\.0\/[0-9a-f]{16}\/icon$/);
    const detail = await call(registry.base, "GET", "/-/marketplace/plugins/@art/pics");
    expect(detail.body.icon).toBe(card.icon);
    expect(detail.body.screenshots).toEqual([
      { url: card.icon.replace(/icon$/, "screenshot-0"), caption: "The list" },
    ]);

    const icon = await fetch(`${registry.base}/${card.icon}`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/png");
    expect(icon.headers.get("x-content-type-options")).toBe("nosniff");
    expect(icon.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(icon.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(new Uint8Array(await icon.arrayBuffer())).toEqual(PNG);
    const again = await fetch(`${registry.base}/${card.icon}`, {
      headers: { "if-none-match": icon.headers.get("etag") ?? "" },
    });
    expect(again.status).toBe(304);
    const shot = await fetch(`${registry.base}/${detail.body.screenshots[0].url}`);
    expect(shot.headers.get("content-type")).toBe("image/jpeg");
  });

  it("gives a plugin without media no icon, and answers 404 for media it does not declare", async () => {
    await publish("plain", "1.0.0", {}, {});
    const detail = await call(registry.base, "GET", "/-/marketplace/plugins/plain");
    expect(detail.body.icon).toBeNull();
    expect(detail.body.screenshots).toEqual([]);
    const icon = await call(registry.base, "GET", `/-/marketplace/media/plain/1.0.0/${"0".repeat(16)}/icon`);
    expect(icon.status).toBe(404);
    expect(icon.body.error.code).toBe("BUNTIME_ERR_MARKETPLACE_MEDIA_NOT_FOUND");
  });

  it("answers 404 to a stale digest, an undeclared screenshot and a file that is not icon or screenshot-N", async () => {
    const { body } = await call(registry.base, "GET", "/-/marketplace/plugins/@art/pics");
    const prefix = (body.icon as string).replace(/\/icon$/, "");
    for (const path of [
      `${prefix.replace(/[0-9a-f]{16}$/, "0123456789abcdef")}/icon`,
      `${prefix}/screenshot-5`,
      `${prefix}/package.json`,
      `${prefix}/..%2f..%2fpackage.json`,
    ]) {
      const answer = await call(registry.base, "GET", `/${path}`);
      expect(answer.status).toBe(404);
    }
  });

  it.each([
    [
      "a missing file",
      { icon: "assets/icon.png" },
      {},
      "buntime.icon (assets/icon.png) is not in the package",
    ],
    [
      "a non-image renamed .png",
      { icon: "icon.png" },
      { "icon.png": text("<html><script>alert(1)</script>") },
      "buntime.icon (icon.png) is not a PNG, JPEG or WebP image by its content",
    ],
    [
      "an SVG renamed .png",
      { screenshots: [{ path: "s.png" }] },
      { "s.png": text("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>") },
      "buntime.screenshots[0].path (s.png) is not a PNG, JPEG or WebP image",
    ],
    [
      "an oversize icon",
      { icon: "icon.png" },
      { "icon.png": Uint8Array.from([...PNG, ...new Uint8Array(300 * 1024)]) },
      "buntime.icon (icon.png) is 301 KiB; it may be at most 256 KiB",
    ],
    [
      "a path out of the package",
      { icon: "../../etc/passwd.png" },
      {},
      "buntime.icon: expected a file inside the package",
    ],
    ["an SVG", { icon: "icon.svg" }, {}, "buntime.icon: SVG is refused (it can carry scripts)"],
  ])(
    "refuses %s at publish, naming field and file, and stores nothing",
    async (_label, buntime, files, message) => {
      const name = `bad-${Math.random().toString(36).slice(2, 8)}`;
      const refused = await publish(name, "1.0.0", buntime, files as Record<string, Uint8Array>);
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toContain(message);
      expect((await call(registry.base, "GET", `/${name}`)).status).toBe(404);
    },
  );
});

describe("the registry's media cache", () => {
  it("keeps at most its byte budget, dropping the least recently used first", () => {
    const cache = new MediaCache(10);
    const image = (n: number) => ({ type: "image/png" as const, data: new Uint8Array(n) });
    cache.set("a", image(4));
    cache.set("b", image(4));
    expect(cache.get("a")?.data.length).toBe(4); // a is now the most recent
    cache.set("c", image(4));
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBeDefined();
    expect(cache.get("c")).toBeDefined();
    cache.set("huge", image(11));
    expect(cache.get("huge")).toBeUndefined();
  });
});
