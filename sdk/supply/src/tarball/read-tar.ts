import { gunzipSync } from "node:zlib";
import { BuntimeError } from "@buntime/sdk";
import { type Header, Parser, type ReadEntry } from "tar";
import { looksLikePax, paxProblem } from "./pax-check.ts";
import { BLOCK, padded, type TarEntry, type TarHeader } from "./tar-format.ts";

/** How {@link scanTar} reads: a check run on every header and a cap on unpacked bytes. */
export interface ScanOptions {
  /** Runs on each entry's header before its data is read; throwing refuses the archive. */
  onHeader?: (header: TarHeader) => void;
  /** Most bytes of tar stream (headers and padding included) to unpack. @default Infinity */
  maxBytes?: number;
}

/** Compressed bytes handed to tar at a time: a refusal stops the gunzip within a few MiB. */
const STEP = 4096;
/** Largest pax or long-name record read; a bigger one is refused as an unknown entry. */
const MAX_META_BYTES = 64 * 1024;

function kindOf(tarType: string): TarHeader["type"] {
  if (tarType === "File" || tarType === "OldFile" || tarType === "ContiguousFile") return "file";
  if (tarType === "Directory") return "directory";
  if (tarType === "SymbolicLink") return "symlink";
  if (tarType === "Link") return "hardlink";
  return "other";
}

function headerOf(entry: ReadEntry): TarHeader {
  return {
    path: entry.path,
    type: kindOf(entry.type),
    tarType: entry.type,
    mode: entry.mode ?? 0,
    size: entry.size,
    linkTarget: entry.linkpath ?? "",
  };
}

function invalid(source: string, details: string, cause?: unknown): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_TARBALL_INVALID", { source, details }, { cause });
}

function tooLarge(source: string, maxBytes: number, cause?: unknown): BuntimeError {
  const details = `it unpacks to more than ${maxBytes} bytes`;
  return new BuntimeError(
    "BUNTIME_ERR_TARBALL_INVALID",
    { source, details, limit: "maxUnpackedBytes" },
    { cause },
  );
}

/** Our words for a problem tar reports, with tar's code kept for whoever debugs it. */
function describe(code: string, message: string, data: Record<string, unknown>): string {
  const header = data.header as Header | undefined;
  return `${header?.cksumValid === false ? "bad header checksum" : message} (${code})`;
}

/**
 * Gzipped data left after the end-of-archive marker is unpacked only to bound it, so what
 * follows the archive cannot hide a gzip bomb either.
 */
function checkTail(bytes: Buffer, source: string, maxBytes: number): void {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b || !Number.isFinite(maxBytes)) return;
  try {
    gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    const overflow =
      (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError;
    throw overflow ? tooLarge(source, maxBytes, error) : invalid(source, "corrupt gzip data", error);
  }
}

/**
 * Reads a tar archive, gzipped or not (tar unpacks the gzip as it goes), entry by entry. Stops
 * at the end-of-archive marker, at the first problem tar reports, at the first malformed pax
 * record (which tar alone would skip) and at the first header `onHeader` refuses, so a hostile archive is never unpacked past the point it is refused.
 * Throws `BUNTIME_ERR_TARBALL_INVALID` for a malformed archive, or what `onHeader` threw.
 */
export function scanTar(input: Uint8Array, source: string, options: ScanOptions = {}): TarEntry[] {
  const { onHeader, maxBytes = Number.POSITIVE_INFINITY } = options;
  const entries: TarEntry[] = [];
  let failure: unknown;
  let ended = false;
  let unpacked = 0;
  const parser = new Parser({
    // the absolute limits apply instead: a ratio would refuse honest files of zeros
    maxDecompressionRatio: Number.POSITIVE_INFINITY,
    maxMetaEntrySize: MAX_META_BYTES,
    onwarn: (code, message, data) => fail(invalid(source, describe(code, message, data))),
    onReadEntry: (entry) => read(entry),
  });
  function fail(error: unknown): void {
    if (failure !== undefined) return;
    failure = error;
    parser.abort(new Error("refused"));
  }
  function count(bytes: number): void {
    unpacked += bytes;
    if (unpacked > maxBytes) fail(tooLarge(source, maxBytes));
  }
  function visit(header: TarHeader): boolean {
    try {
      onHeader?.(header);
    } catch (error) {
      fail(error);
    }
    count(BLOCK + padded(header.size));
    return failure === undefined;
  }
  function read(entry: ReadEntry): void {
    const header = headerOf(entry);
    if (!visit(header)) {
      entry.resume();
      return;
    }
    const chunks: Buffer[] = [];
    entry.on("data", (chunk) => chunks.push(chunk));
    entry.on("end", () => entries.push({ ...header, data: Buffer.concat(chunks) }));
  }
  // entries tar skips (unknown types, oversized meta records) are entries all the same
  parser.on("ignoredEntry", (entry: ReadEntry) => {
    const header = headerOf(entry);
    if (visit(header)) entries.push({ ...header, data: new Uint8Array(0) });
  });
  parser.on("meta", (text: string) => {
    count(BLOCK + padded(Buffer.byteLength(text)));
    const problem = looksLikePax(text) ? paxProblem(text) : undefined;
    if (problem !== undefined) fail(invalid(source, problem));
  });
  parser.on("nullBlock", () => count(BLOCK));
  parser.on("eof", () => {
    ended = true;
  });
  parser.on("error", (error: Error & { code?: string }) => {
    fail(invalid(source, `${error.message} (${error.code ?? "TAR_ABORT"})`, error));
  });
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  let offset = 0;
  for (; offset < bytes.length && failure === undefined && !ended; offset += STEP) {
    parser.write(bytes.subarray(offset, offset + STEP));
  }
  if (failure === undefined && !ended) parser.end();
  if (failure === undefined && offset < bytes.length) checkTail(bytes, source, maxBytes);
  if (failure !== undefined) throw failure;
  return entries;
}

/**
 * Reads every entry of a tar archive (ustar, pax and GNU long names), with no policy: links,
 * devices and any path come back as they are. Throws `BUNTIME_ERR_TARBALL_INVALID` when the
 * archive is malformed.
 */
export function readTar(tar: Uint8Array, source: string): TarEntry[] {
  return scanTar(tar, source);
}
