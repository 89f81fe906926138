import { Header, Pax } from "tar";

/** What a reader knows of a tar entry before its bytes: its path, its kind, its size. */
export interface TarHeader {
  path: string;
  /** `file`, `directory`, `symlink`, `hardlink` or `other` (devices, fifos, unknown types). */
  type: "file" | "directory" | "symlink" | "hardlink" | "other";
  /** The entry type as tar names it: `File`, `SymbolicLink`, `CharacterDevice`, `FIFO`, … */
  tarType: string;
  mode: number;
  /** Bytes of data the header announces. */
  size: number;
  /** Link target, for links. */
  linkTarget: string;
}

/** One entry of a tar archive as read: its header and, for files, its bytes. */
export interface TarEntry extends TarHeader {
  data: Uint8Array;
}

/** An entry to write into a tar archive: a file unless `type` says otherwise. */
export interface TarInput {
  path: string;
  /** The file's bytes; other kinds of entry carry none, whatever is given here. */
  data: Uint8Array;
  mode: number;
  /** `device` is a character device. @default "file" */
  type?: "file" | "directory" | "symlink" | "hardlink" | "device" | "block-device" | "fifo";
  /** Link target, for links. */
  linkTarget?: string;
  /** Raw pax records written as an extended header before the entry, as given (tests craft bad ones). */
  rawPax?: string;
}

const TAR_TYPES = {
  file: "File",
  directory: "Directory",
  symlink: "SymbolicLink",
  hardlink: "Link",
  device: "CharacterDevice",
  "block-device": "BlockDevice",
  fifo: "FIFO",
} as const;
const EPOCH = new Date(0);

/** tar's block size: headers take one, data is padded to a multiple. */
export const BLOCK = 512;

/** `size` rounded up to whole blocks. */
export const padded = (size: number) => Math.ceil(size / BLOCK) * BLOCK;

function rawPaxBlocks(path: string, records: string): Uint8Array[] {
  const data = Buffer.from(records, "utf8");
  const header = Buffer.alloc(BLOCK);
  new Header({
    path: `PaxHeader/${path.slice(-80)}`,
    type: "ExtendedHeader",
    size: data.length,
    mtime: EPOCH,
  }).encode(header);
  return [header, data, new Uint8Array(padded(data.length) - data.length)];
}

/**
 * Writes a deterministic ustar archive (pax records for what ustar cannot hold): entries in
 * the given order, mtime 0, uid/gid 0, no user names, so the same inputs always give the same
 * bytes.
 */
export function writeTar(files: readonly TarInput[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const file of files) {
    const type = TAR_TYPES[file.type ?? "file"];
    const data = type === "File" ? file.data : new Uint8Array(0);
    const linkpath = file.linkTarget ?? "";
    const header = new Header({
      path: file.path,
      type,
      linkpath,
      mode: file.mode,
      size: data.length,
      uid: 0,
      gid: 0,
      mtime: EPOCH,
    });
    if (file.rawPax !== undefined) blocks.push(...rawPaxBlocks(file.path, file.rawPax));
    const block = Buffer.alloc(BLOCK);
    if (header.encode(block)) {
      blocks.push(new Pax({ path: file.path, linkpath: linkpath || undefined }).encode());
    }
    blocks.push(block, data, new Uint8Array(padded(data.length) - data.length));
  }
  blocks.push(new Uint8Array(2 * BLOCK));
  const tar = new Uint8Array(blocks.reduce((total, block) => total + block.length, 0));
  let offset = 0;
  for (const block of blocks) {
    tar.set(block, offset);
    offset += block.length;
  }
  return tar;
}
