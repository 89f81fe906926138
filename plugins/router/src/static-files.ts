import { resolve, sep } from "node:path";

/** Files a static app folder never serves, even when asked by name. */
const PRIVATE_NAMES = new Set([
  "package.json",
  "buntime.json",
  "node_modules",
  "bun.lock",
  "package-lock.json",
]);

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

/** Serves `path` from `root` for GET and HEAD, or resolves undefined when there is no such file. */
export async function serveStatic(
  root: string,
  path: string,
  request: Request,
): Promise<Response | undefined> {
  if (request.method !== "GET" && request.method !== "HEAD") return undefined;
  const target = staticPath(root, path);
  if (!target) return undefined;
  const file = Bun.file(target);
  if (!(await file.exists())) return undefined;
  return new Response(request.method === "HEAD" ? null : file, {
    headers: { "content-type": file.type, "content-length": String(file.size) },
  });
}
