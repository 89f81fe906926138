import { gzipSync } from "node:zlib";

/** One entry of a hand-built tar archive. */
export interface TarEntry {
  path: string;
  content?: string;
  /** ustar type flag: "0" file, "5" folder, "1" hard link, "2" symlink, "3"/"4" devices, "6" fifo. */
  type?: string;
  linkname?: string;
}

function field(header: Uint8Array, offset: number, length: number, value: string): void {
  header.set(new TextEncoder().encode(value).slice(0, length), offset);
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, "0")}\0`;
}

/** A plain ustar archive of `entries` (no gzip), so tests can craft what npm never would. */
export function buildTar(entries: TarEntry[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const entry of entries) {
    const body = new TextEncoder().encode(entry.content ?? "");
    const type = entry.type ?? "0";
    const size = type === "0" ? body.length : 0;
    const header = new Uint8Array(512);
    field(header, 0, 100, entry.path);
    field(header, 100, 8, octal(0o644, 8));
    field(header, 108, 8, octal(0, 8));
    field(header, 116, 8, octal(0, 8));
    field(header, 124, 12, octal(size, 12));
    field(header, 136, 12, octal(1_700_000_000, 12));
    field(header, 148, 8, "        ");
    field(header, 156, 1, type);
    field(header, 157, 100, entry.linkname ?? "");
    field(header, 257, 6, "ustar\0");
    field(header, 263, 2, "00");
    const sum = header.reduce((acc, byte) => acc + byte, 0);
    field(header, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
    blocks.push(header);
    if (size > 0) {
      const padded = new Uint8Array(Math.ceil(size / 512) * 512);
      padded.set(body);
      blocks.push(padded);
    }
  }
  blocks.push(new Uint8Array(1024));
  return Buffer.concat(blocks);
}

/** A gzipped tarball of `entries`. */
export function buildTgz(entries: TarEntry[]): Uint8Array {
  return gzipSync(buildTar(entries));
}

/** A valid package tarball: package.json (with `extra` fields), README and index.js. */
export function packageTgz(name: string, version: string, extra: Record<string, unknown> = {}): Uint8Array {
  return buildTgz([
    { path: "package/package.json", content: JSON.stringify({ name, version, ...extra }) },
    { path: "package/README.md", content: `# ${name}\n` },
    { path: "package/index.js", content: "export default {};\n" },
  ]);
}

/** The body `npm publish` would PUT for `tarball`, with optional overrides of the version doc. */
export function publishBody(
  name: string,
  version: string,
  tarball: Uint8Array,
  options: { tag?: string; doc?: Record<string, unknown> } = {},
): Record<string, unknown> {
  const file = `${name}-${version}.tgz`;
  return {
    _id: name,
    name,
    "dist-tags": { [options.tag ?? "latest"]: version },
    versions: { [version]: { name, version, _id: `${name}@${version}`, ...options.doc } },
    _attachments: {
      [file]: {
        content_type: "application/octet-stream",
        data: Buffer.from(tarball).toString("base64"),
        length: tarball.length,
      },
    },
  };
}
