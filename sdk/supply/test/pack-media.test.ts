import { afterEach, describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { checkManifestMedia, MEDIA_LIMITS, packPlugin, readTarball, sniffImage } from "@buntime/supply";

/** A real 1×1 PNG. */
const PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);
const JPEG_HEAD = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0]);
const WEBP_HEAD = new TextEncoder().encode("RIFF\x24\x00\x00\x00WEBPVP8 ");

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function pluginFolder(
  buntime: object,
  files: Record<string, Uint8Array | string>,
  extra: object = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), "sdk-media-"));
  temporary.push(dir);
  const pkg = { name: "@acme/pics", version: "1.0.0", ...extra, buntime: { kernel: "^0.1.0", ...buntime } };
  writeFileSync(join(dir, "package.json"), JSON.stringify(pkg));
  writeFileSync(join(dir, "index.js"), "export default { setup() {} };");
  for (const [path, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
  return dir;
}

describe("sniffImage", () => {
  it("knows PNG, JPEG and WebP by their bytes, and nothing else", () => {
    expect(sniffImage(PNG)).toBe("image/png");
    expect(sniffImage(JPEG_HEAD)).toBe("image/jpeg");
    expect(sniffImage(WEBP_HEAD)).toBe("image/webp");
    for (const text of [
      "<svg xmlns='http://www.w3.org/2000/svg'/>",
      "<html><script>x</script>",
      "GIF89a.......",
    ]) {
      expect(sniffImage(new TextEncoder().encode(text))).toBeUndefined();
    }
    expect(sniffImage(PNG.slice(0, 8))).toBeUndefined(); // a signature alone is no image
  });
});

describe("packPlugin with an icon and screenshots", () => {
  it("packs a plugin whose media are packed images", () => {
    const dir = pluginFolder(
      {
        icon: "assets/icon.png",
        screenshots: [{ path: "assets/one.jpg", caption: "One" }, { path: "two.webp" }],
      },
      { "assets/icon.png": PNG, "assets/one.jpg": JPEG_HEAD, "two.webp": WEBP_HEAD },
    );
    const packed = packPlugin(dir);
    const paths = readTarball(packed.tarball).entries.map((entry) => entry.path);
    expect(paths).toContain("assets/icon.png");
    expect(paths).toContain("two.webp");
  });

  it("refuses a missing file, naming the field and the file", () => {
    expect(() => packPlugin(pluginFolder({ icon: "assets/icon.png" }, {}))).toThrow(
      "buntime.icon (assets/icon.png) is not in the package (is it left out by files or .npmignore?)",
    );
  });

  it("refuses a file that exists but is not packed", () => {
    const dir = pluginFolder(
      { icon: "assets/icon.png" },
      { "assets/icon.png": PNG },
      { files: ["index.js"] },
    );
    expect(() => packPlugin(dir)).toThrow("buntime.icon (assets/icon.png) is not in the package");
  });

  it("refuses a non-image renamed .png, an SVG by content, and names the screenshot", () => {
    const html = pluginFolder({ icon: "icon.png" }, { "icon.png": "<html><script>alert(1)</script></html>" });
    expect(() => packPlugin(html)).toThrow(
      "buntime.icon (icon.png) is not a PNG, JPEG or WebP image by its content (whatever its name says)",
    );
    const svg = pluginFolder(
      { screenshots: [{ path: "a.png" }, { path: "b.png" }] },
      { "a.png": PNG, "b.png": "<svg/>" },
    );
    expect(() => packPlugin(svg)).toThrow(
      "buntime.screenshots[1].path (b.png) is not a PNG, JPEG or WebP image",
    );
  });

  it("refuses an oversize icon and screenshot with the limit", () => {
    const big = new Uint8Array(MEDIA_LIMITS.iconBytes + 1);
    big.set(PNG);
    expect(() => packPlugin(pluginFolder({ icon: "icon.png" }, { "icon.png": big }))).toThrow(
      "buntime.icon (icon.png) is 257 KiB; it may be at most 256 KiB",
    );
    const huge = new Uint8Array(MEDIA_LIMITS.screenshotBytes + 1);
    huge.set(PNG);
    expect(() => packPlugin(pluginFolder({ screenshots: [{ path: "s.png" }] }, { "s.png": huge }))).toThrow(
      "is 2049 KiB; it may be at most 2048 KiB",
    );
  });

  it("refuses a path out of the package before reading anything", () => {
    expect(() => packPlugin(pluginFolder({ icon: "../../etc/passwd.png" }, {}))).toThrow(
      "buntime.icon: expected a file inside the package",
    );
  });

  it("returns the checked media with their types, sizes and captions", () => {
    const files = new Map([["i.png", PNG]]);
    expect(
      checkManifestMedia(
        { icon: "i.png", screenshots: [{ path: "i.png", caption: "c" }] },
        (p) => files.get(p),
        "x",
      ),
    ).toEqual([
      { field: "buntime.icon", path: "i.png", type: "image/png", bytes: PNG.length },
      {
        field: "buntime.screenshots[0].path",
        path: "i.png",
        type: "image/png",
        bytes: PNG.length,
        caption: "c",
      },
    ]);
  });
});
