/**
 * What an upload holds, as a list of files with paths relative to the app package, refused
 * whole (nothing written) when any entry is unsafe: an absolute path, a `..` segment, a
 * symlink, a hard link or a device in a tarball, too many files or too many bytes. A tarball
 * is npm-format (`package/…`, gzipped or not) or a plain archive of the folder; a zip holds the
 * folder (its entries are only ever written as plain files); an uploaded folder is its files,
 * each part's file name being its path.
 */
import { gunzipSync } from "node:zlib";
import { BuntimeError } from "@buntime/sdk";
import { unzipSync } from "fflate";
import { Parser, type ReadEntry } from "tar";

/** One file of an upload. */
export interface UploadedFile {
  /** Relative to the package root, `/`-separated. */
  readonly path: string;
  readonly data: Uint8Array;
}

/** What an upload may hold at most. */
export interface UploadLimits {
  readonly maxFiles: number;
  readonly maxBytes: number;
}

function refused(details: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_DEPLOY_UPLOAD_INVALID", { details });
}

/** The path `raw` names inside the package, or a refusal naming it. */
export function safePath(raw: string): string {
  const path = raw.replaceAll("\\", "/");
  const segments = path.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path))
    throw refused(`${JSON.stringify(raw)} is an absolute path`);
  if (segments.includes("..")) throw refused(`${JSON.stringify(raw)} leads outside the app (..)`);
  if (segments.length === 0) throw refused(`${JSON.stringify(raw)} names no file`);
  if (segments.some((segment) => segment.includes("\0")))
    throw refused(`${JSON.stringify(raw)} holds a NUL byte`);
  return segments.join("/");
}

/** Checks count and size as files are added, so a huge upload is refused early. */
export class FileBag {
  readonly files: UploadedFile[] = [];
  #bytes = 0;
  readonly #seen = new Set<string>();

  constructor(private readonly limits: UploadLimits) {}

  add(rawPath: string, data: Uint8Array): void {
    const path = safePath(rawPath);
    if (this.#seen.has(path)) throw refused(`${path} appears twice`);
    this.#seen.add(path);
    this.#bytes += data.byteLength;
    if (this.files.length + 1 > this.limits.maxFiles)
      throw refused(`more than ${this.limits.maxFiles} files`);
    if (this.#bytes > this.limits.maxBytes) throw refused(`more than ${this.limits.maxBytes} bytes unpacked`);
    this.files.push({ path, data });
  }
}

/** Strips the one top folder every entry shares (`package/` of npm tarballs), if there is one. */
function withoutCommonTop(files: UploadedFile[]): UploadedFile[] {
  const tops = new Set(files.map((file) => (file.path.includes("/") ? file.path.split("/")[0] : "")));
  const [top] = tops;
  if (
    tops.size !== 1 ||
    top === "" ||
    top === undefined ||
    files.some((file) => file.path === "package.json")
  )
    return files;
  return files.map((file) => ({ path: file.path.slice(top.length + 1), data: file.data }));
}

/**
 * The files of a tarball (`.tgz` or `.tar`). Only files and folders are accepted: a symlink,
 * hard link, device or FIFO refuses the whole upload, as does any unsafe path.
 *
 * @example
 * const files = filesOfTarball(await Bun.file("shop-1.0.0.tgz").bytes(), { maxFiles: 1000, maxBytes: 50e6 });
 */
export function filesOfTarball(bytes: Uint8Array, limits: UploadLimits): UploadedFile[] {
  let tar: Uint8Array = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      tar = gunzipSync(bytes, { maxOutputLength: limits.maxBytes + (limits.maxFiles + 2) * 1024 });
    } catch (error) {
      throw new BuntimeError(
        "BUNTIME_ERR_DEPLOY_UPLOAD_INVALID",
        { details: "the gzip data is corrupt or unpacks past the size limit" },
        { cause: error },
      );
    }
  }
  const bag = new FileBag(limits);
  let failure: unknown;
  const parser = new Parser({
    strict: true,
    onwarn: (_code: string, message: string) => {
      failure ??= refused(`not a valid tar archive: ${message}`);
    },
    onReadEntry: (entry: ReadEntry) => {
      if (failure !== undefined) return entry.resume();
      if (entry.type === "Directory") return entry.resume();
      if (entry.type !== "File" && entry.type !== "OldFile" && entry.type !== "ContiguousFile") {
        failure = refused(`${entry.path} is a ${entry.type}; only files and folders are accepted`);
        return entry.resume();
      }
      const chunks: Uint8Array[] = [];
      entry.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      entry.on("end", () => {
        try {
          bag.add(entry.path, Buffer.concat(chunks));
        } catch (error) {
          failure ??= error;
        }
      });
    },
  });
  try {
    parser.end(Buffer.from(tar));
  } catch (error) {
    failure ??= new BuntimeError(
      "BUNTIME_ERR_DEPLOY_UPLOAD_INVALID",
      { details: "not a valid tar archive" },
      { cause: error },
    );
  }
  if (failure !== undefined) throw failure;
  if (bag.files.length === 0) throw refused("the archive holds no files (is it a tarball?)");
  return withoutCommonTop(bag.files);
}

/** True for the bytes of a zip archive (a local file header first). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * The files of a zip. Sizes are checked from the archive's directory before anything is
 * inflated, so a zip bomb is refused unread; folders are skipped, and every path is checked.
 */
export function filesOfZip(bytes: Uint8Array, limits: UploadLimits): UploadedFile[] {
  let declared = 0;
  let count = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (file) => {
        if (file.name.endsWith("/")) return false;
        count++;
        declared += file.originalSize;
        if (count > limits.maxFiles) throw refused(`more than ${limits.maxFiles} files`);
        if (declared > limits.maxBytes) throw refused(`more than ${limits.maxBytes} bytes unpacked`);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof BuntimeError) throw error;
    throw new BuntimeError(
      "BUNTIME_ERR_DEPLOY_UPLOAD_INVALID",
      { details: "not a valid zip archive" },
      { cause: error },
    );
  }
  const bag = new FileBag(limits);
  for (const [path, data] of Object.entries(entries)) bag.add(path, data);
  if (bag.files.length === 0) throw refused("the zip holds no files");
  return withoutCommonTop(bag.files);
}

/** The files of an uploaded archive: a zip, or a tarball (gzipped or not). */
export function filesOfArchive(bytes: Uint8Array, limits: UploadLimits): UploadedFile[] {
  return isZip(bytes) ? filesOfZip(bytes, limits) : filesOfTarball(bytes, limits);
}
