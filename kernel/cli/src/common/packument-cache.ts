import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CachedPackument, PackumentCache } from "@buntime/supply";
import { writeFileAtomic } from "./atomic-write.ts";

/**
 * Packuments kept on disk between CLI runs (`<dir>/<sha256 of the URL>.json`), so a repeated
 * command revalidates with `If-None-Match` instead of downloading again. A cache that cannot
 * be read or written is skipped, never an error.
 */
export function diskPackumentCache(dir: string): PackumentCache {
  const fileOf = (key: string) => join(dir, `${createHash("sha256").update(key).digest("hex")}.json`);
  return {
    get(key) {
      const path = fileOf(key);
      try {
        return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as CachedPackument) : undefined;
      } catch {
        return undefined;
      }
    },
    set(key, value) {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        writeFileAtomic(fileOf(key), JSON.stringify(value), 0o600);
      } catch {
        // a read-only cache only costs a download
      }
    },
  };
}
