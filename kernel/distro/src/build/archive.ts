import { lstatSync, readFileSync, readlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { type TarInput, writeTar } from "@buntime/supply";
import { listFiles } from "./normalize.ts";

/**
 * A built distribution folder as one `.tar.gz`, the same bytes for the same folder: entries
 * under `<folder name>/` in sorted order, the folder's (normalized) modes, mtime 0, owner 0,
 * and a gzip header without a timestamp.
 */
export function archiveBuild(dir: string): Uint8Array {
  const root = basename(dir);
  const inputs: TarInput[] = listFiles(dir).map((file) => {
    const path = join(dir, file);
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) {
      return {
        path: `${root}/${file}`,
        data: new Uint8Array(),
        mode: 0o777,
        type: "symlink",
        linkTarget: readlinkSync(path),
      };
    }
    return { path: `${root}/${file}`, data: readFileSync(path), mode: stat.mode & 0o777 };
  });
  return Bun.gzipSync(writeTar(inputs) as Uint8Array<ArrayBuffer>, { level: 9 });
}
