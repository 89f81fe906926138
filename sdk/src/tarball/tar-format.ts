import { BuntimeError } from "../errors.ts";

/** One entry of a tar archive as read: its path, its kind and, for files, its bytes. */
export interface TarEntry {
  path: string;
  /** `file`, `directory`, `symlink`, `hardlink` or `other` (devices, fifos, unknown types). */
  type: "file" | "directory" | "symlink" | "hardlink" | "other";
  mode: number;
  data: Uint8Array;
  /** Link target, for links. */
  linkTarget: string;
}

/** An entry to write into a tar archive: a file unless `type` says otherwise. */
export interface TarInput {
  path: string;
  data: Uint8Array;
  mode: number;
  /** @default "file" */
  type?: "file" | "directory" | "symlink" | "hardlink" | "device";
  /** Link target, for links. */
  linkTarget?: string;
}

const TYPE_FLAGS = { file: "0", directory: "5", symlink: "2", hardlink: "1", device: "3" } as const;

const BLOCK = 512;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function text(block: Uint8Array, offset: number, length: number): string {
  const slice = block.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return decoder.decode(end === -1 ? slice : slice.subarray(0, end));
}

function octal(block: Uint8Array, offset: number, length: number): number {
  const value = text(block, offset, length).trim();
  return value === "" ? 0 : Number.parseInt(value, 8);
}

function typeOf(flag: string): TarEntry["type"] {
  if (flag === "0" || flag === "" || flag === "7") return "file";
  if (flag === "5") return "directory";
  if (flag === "2") return "symlink";
  if (flag === "1") return "hardlink";
  return "other";
}

function paxPath(data: Uint8Array): string | undefined {
  // records are "<length> <key>=<value>\n"
  for (const record of decoder.decode(data).split("\n")) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match) return match[1];
  }
  return undefined;
}

/** Reads every entry of an uncompressed tar archive (ustar, pax `path` and GNU long names). */
export function readTar(tar: Uint8Array, source: string): TarEntry[] {
  const entries: TarEntry[] = [];
  const invalid = (details: string) => new BuntimeError("BUNTIME_ERR_TARBALL_INVALID", { source, details });
  let offset = 0;
  let longPath: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] as number);
    if (sum !== octal(header, 148, 8)) throw invalid(`bad header checksum at byte ${offset}`);
    const size = octal(header, 124, 12);
    const flag = String.fromCharCode(header[156] as number).replace("\0", "");
    const dataStart = offset + BLOCK;
    if (!Number.isSafeInteger(size) || dataStart + size > tar.length) throw invalid("truncated archive");
    const data = tar.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (flag === "x") {
      longPath = paxPath(data) ?? longPath;
      continue;
    }
    if (flag === "L") {
      longPath = text(data, 0, data.length);
      continue;
    }
    if (flag === "g") continue;
    const prefix = text(header, 345, 155);
    const name = text(header, 0, 100);
    const path = longPath ?? (prefix ? `${prefix}/${name}` : name);
    longPath = undefined;
    entries.push({
      path,
      type: typeOf(flag),
      mode: octal(header, 100, 8),
      data,
      linkTarget: text(header, 157, 100),
    });
  }
  return entries;
}

function writeField(block: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = encoder.encode(value);
  if (bytes.length > length) throw new RangeError(`tar field too long: ${value}`);
  block.set(bytes, offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  writeField(block, offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
}

function splitPath(path: string): [prefix: string, name: string] {
  if (encoder.encode(path).length <= 100) return ["", path];
  for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (encoder.encode(prefix).length <= 155 && encoder.encode(name).length <= 100) return [prefix, name];
  }
  throw new RangeError(`path too long for a ustar archive: ${path}`);
}

/**
 * Writes a deterministic ustar archive: entries in the given order, mtime 0, uid/gid 0, no
 * user names, so the same inputs always give the same bytes.
 */
export function writeTar(files: readonly TarInput[]): Uint8Array {
  const size = files.reduce((total, f) => total + BLOCK + Math.ceil(f.data.length / BLOCK) * BLOCK, 0);
  const tar = new Uint8Array(size + 2 * BLOCK);
  let offset = 0;
  for (const file of files) {
    const header = tar.subarray(offset, offset + BLOCK);
    const [prefix, name] = splitPath(file.path);
    writeField(header, 0, 100, name);
    writeOctal(header, 100, 8, file.mode);
    writeOctal(header, 108, 8, 0);
    writeOctal(header, 116, 8, 0);
    writeOctal(header, 124, 12, file.data.length);
    writeOctal(header, 136, 12, 0);
    header.fill(32, 148, 156);
    header[156] = TYPE_FLAGS[file.type ?? "file"].charCodeAt(0);
    writeField(header, 157, 100, file.linkTarget ?? "");
    writeField(header, 257, 6, "ustar\0");
    writeField(header, 263, 2, "00");
    writeField(header, 345, 155, prefix);
    let sum = 0;
    for (const byte of header) sum += byte;
    writeField(header, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
    tar.set(file.data, offset + BLOCK);
    offset += BLOCK + Math.ceil(file.data.length / BLOCK) * BLOCK;
  }
  return tar;
}
