/** Reads an app's migrations: `<app folder>/migrations/*.sql`, in file-name (code point) order. */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Migration } from "./engine/migrations.ts";

/** The migrations of the app in `folder`; none when it has no `migrations/` folder. */
export async function readMigrations(folder: string | undefined): Promise<Migration[]> {
  if (folder === undefined) return [];
  const dir = join(folder, "migrations");
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR") return [];
    throw error;
  });
  const files = names.filter((name) => name.endsWith(".sql")).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Promise.all(files.map(async (name) => ({ name, sql: await readFile(join(dir, name), "utf8") })));
}
