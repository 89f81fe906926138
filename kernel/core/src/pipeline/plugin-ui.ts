import { readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { PluginHandler } from "./mount-plugin.ts";

/** Every file under `dir`, as `/`-separated paths relative to it; dotfiles are skipped. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .filter((path) => !path.split("/").some((segment) => segment.startsWith(".")));
}

/**
 * Serves a plugin's UI folder (manifest `ui.dir`) at its base: `GET <base>/` is `index.html`,
 * `GET <base>/app.js` is `app.js`. The folder is listed once at load, and only those files are
 * ever served, so no request path can reach outside it. Other paths and methods decline.
 */
export function createUiHandler(dir: string, base: string): PluginHandler | undefined {
  let files: Set<string>;
  try {
    files = new Set(listFiles(dir));
  } catch {
    return undefined; // no such folder: nothing to serve
  }
  const prefix = base === "/" ? "/" : `${base}/`;
  return (request, { pathname }) => {
    if (request.method !== "GET" && request.method !== "HEAD") return undefined;
    if (!pathname.startsWith(prefix)) return undefined;
    let name: string;
    try {
      name = decodeURIComponent(pathname.slice(prefix.length)) || "index.html";
    } catch {
      return undefined;
    }
    if (!files.has(name)) return undefined;
    const file = Bun.file(join(dir, name));
    return new Response(request.method === "HEAD" ? null : file, {
      headers: { "content-type": file.type, "cache-control": "no-cache" },
    });
  };
}
