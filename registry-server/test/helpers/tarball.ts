import { gzipSync } from "node:zlib";
import { type TarInput, writeTar } from "@buntime/supply";

/** One entry of a crafted tar archive. */
export interface TarEntry {
  path: string;
  content?: string;
  /** ustar type flag: "0" file, "5" folder, "1" hard link, "2" symlink, "3"/"4" devices, "6" fifo. */
  type?: string;
  linkname?: string;
  /** Raw pax records written before the entry (crafted, possibly malformed). */
  rawPax?: string;
}

const KINDS: Record<string, TarInput["type"]> = {
  "0": "file",
  "1": "hardlink",
  "2": "symlink",
  "3": "device",
  "4": "block-device",
  "5": "directory",
  "6": "fifo",
};

/** A gzipped tarball of `entries`, written by the sdk's tar writer, so tests can craft what npm never would. */
export function buildTgz(entries: TarEntry[]): Uint8Array {
  const inputs = entries.map((entry) => ({
    path: entry.path,
    data: new TextEncoder().encode(entry.content ?? ""),
    mode: 0o644,
    type: KINDS[entry.type ?? "0"],
    linkTarget: entry.linkname,
    rawPax: entry.rawPax,
  }));
  return gzipSync(writeTar(inputs));
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
