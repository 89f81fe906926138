import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { BuntimeError } from "@buntime/sdk";
import type { BlobStore } from "./types.ts";

const SAFE_KEY = /^[A-Za-z0-9@%._+-]+(?:\/[A-Za-z0-9@%._+-]+)*$/;

function pathOf(root: string, key: string): string {
  if (!SAFE_KEY.test(key) || key.split("/").some((part) => part === "." || part === "..")) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_STORAGE_FAILED", { details: `unsafe blob key ${key}` });
  }
  return join(root, key);
}

async function fsyncDir(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function walk(root: string, dir: string, out: { key: string; modifiedAt: number }[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, full, out);
    // Leftovers of interrupted writes (`*.partial`) are listed too: nothing references them,
    // so the orphan sweep removes them.
    else if (entry.isFile()) {
      out.push({ key: relative(root, full).split(sep).join("/"), modifiedAt: (await stat(full)).mtimeMs });
    }
  }
}

/**
 * Tarballs as files under `root`. A write goes to a temporary file that is fsynced, renamed
 * into place and its folder fsynced, so a blob is either whole on disk or absent.
 */
export function createFsBlobs(root: string): BlobStore {
  return {
    async put(key, bytes) {
      const path = pathOf(root, key);
      await mkdir(dirname(path), { recursive: true });
      const partial = `${path}.${crypto.randomUUID()}.partial`;
      const handle = await open(partial, "wx");
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(partial, path);
      await fsyncDir(dirname(path));
    },
    async get(key) {
      const file = Bun.file(pathOf(root, key));
      return (await file.exists()) ? file : undefined;
    },
    async delete(key) {
      await rm(pathOf(root, key), { force: true });
    },
    async list() {
      const out: { key: string; modifiedAt: number }[] = [];
      await mkdir(root, { recursive: true });
      await walk(root, root, out);
      return out;
    },
    async close() {},
  };
}
