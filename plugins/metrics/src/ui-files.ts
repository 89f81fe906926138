import { readdirSync } from "node:fs";
import { extname, join } from "node:path";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/**
 * The files of a plugin's UI folder, listed once: only those names are ever served, so no
 * request path can reach outside the folder. `""` stands for `index.html`.
 */
export function uiFiles(dir: string): (name: string) => Response | undefined {
  const names = new Set(readdirSync(dir).filter((name) => extname(name) in CONTENT_TYPES));
  return (name) => {
    const file = name === "" ? "index.html" : name;
    if (!names.has(file)) return undefined;
    return new Response(Bun.file(join(dir, file)), {
      headers: { "content-type": CONTENT_TYPES[extname(file)] as string, "cache-control": "no-cache" },
    });
  };
}
