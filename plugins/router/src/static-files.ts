import { realpath, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";

/** Files a static folder never serves, even when asked by name. */
const PRIVATE_NAMES = new Set([
  "package.json",
  "buntime.json",
  "node_modules",
  "bun.lock",
  "package-lock.json",
]);

/** The folder a static app serves when its config names none. */
export const DEFAULT_PUBLIC_DIR = "public";

/** `path` with symlinks resolved, or undefined when it does not exist. */
async function real(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch {
    return undefined;
  }
}

/**
 * The real path of the folder `publicDir` names inside the app folder `dir`, or undefined when
 * there is none or it leads (through a symlink) outside `dir`: only this folder is ever served.
 */
export async function staticRootOf(dir: string, publicDir: string): Promise<string | undefined> {
  const [app, root] = await Promise.all([real(dir), real(join(dir, publicDir))]);
  if (!app || !root?.startsWith(app + sep)) return undefined;
  return (await stat(root)).isDirectory() ? root : undefined;
}

/** The file under `root` that `path` names, or undefined when it would leave `root` or is private. */
export function staticPath(root: string, path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  const segments = decoded.split("/").filter(Boolean);
  if (
    segments.some(
      (segment) => segment.startsWith(".") || segment.includes("\0") || PRIVATE_NAMES.has(segment),
    )
  ) {
    return undefined;
  }
  if (decoded.endsWith("/") || segments.length === 0) segments.push("index.html");
  const file = resolve(root, ...segments);
  return file.startsWith(root + sep) ? file : undefined;
}

/**
 * Serves `path` from `root` (a real path, from `staticRootOf`) for GET and HEAD, or resolves
 * undefined when there is no such file or it is a symlink leading outside `root`.
 */
export async function serveStatic(
  root: string,
  path: string,
  request: Request,
): Promise<Response | undefined> {
  if (request.method !== "GET" && request.method !== "HEAD") return undefined;
  const named = staticPath(root, path);
  const target = named && (await real(named));
  if (!target?.startsWith(root + sep)) return undefined;
  const file = Bun.file(target);
  if (!(await file.exists())) return undefined;
  return new Response(request.method === "HEAD" ? null : file, {
    headers: { "content-type": file.type, "content-length": String(file.size) },
  });
}
