/**
 * The sandbox's writable folder on the host: created 0700 when missing and, for a dedicated
 * user, owned by that user together with everything in it (a uid can change between runs).
 */
import { chmodSync, lchownSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Creates `dir` (0700) and, when `uid` is given, makes `uid:uid` own it and all it holds. */
export function prepareDataDir(dir: string, uid?: number): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a folder`);
  chmodSync(dir, 0o700);
  if (uid === undefined) return;
  if (stat.uid === uid && stat.gid === uid) return;
  // lchown and no descent into links: a link the app planted in /data must not hand it a host file.
  const pending = [dir];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    lchownSync(path, uid, uid);
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) pending.push(child);
      else lchownSync(child, uid, uid);
    }
  }
}
