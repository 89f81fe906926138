/**
 * The shell's browser bundles, built with `Bun.build` from this package's own sources the
 * first time they are asked for, then served from memory: `frame.js` (the frame protocol) and
 * `shell.js` (the shell page's script). `frame.d.ts` is the public API file as it is.
 */
import { join } from "node:path";

const SOURCES = join(import.meta.dir, "..");

/** A built file, ready to serve. */
export interface Asset {
  readonly body: string;
  readonly type: string;
  readonly etag: string;
}

async function build(entry: string): Promise<Asset> {
  const result = await Bun.build({
    entrypoints: [join(SOURCES, entry)],
    target: "browser",
    format: "esm",
    minify: true,
    sourcemap: "none",
  });
  const output = result.outputs[0];
  if (!result.success || !output) {
    throw new Error(`building ${entry} failed: ${result.logs.map((log) => log.message).join("; ")}`);
  }
  const body = await output.text();
  return { body, type: "text/javascript; charset=utf-8", etag: `"${Bun.hash(body).toString(36)}"` };
}

async function typings(): Promise<Asset> {
  const body = await Bun.file(join(SOURCES, "frame/api.ts")).text();
  return { body, type: "application/typescript; charset=utf-8", etag: `"${Bun.hash(body).toString(36)}"` };
}

const makers: Record<string, () => Promise<Asset>> = {
  "frame.js": () => build("frame/entry.ts"),
  "frame.d.ts": typings,
  "shell.js": () => build("client/shell.ts"),
};

/** The assets by file name, each built once (a failed build is retried on the next request). */
export function createAssets(): (name: string) => Promise<Asset> | undefined {
  const cache = new Map<string, Promise<Asset>>();
  return (name) => {
    const make = makers[name];
    if (!make) return undefined;
    let asset = cache.get(name);
    if (!asset) {
      asset = make();
      asset.catch(() => cache.delete(name));
      cache.set(name, asset);
    }
    return asset;
  };
}

/** Answers a request for `asset`, with a 304 when the browser already has it. */
export function serveAsset(asset: Asset, request: Request): Response {
  const headers = { "content-type": asset.type, etag: asset.etag, "cache-control": "no-cache" };
  if (request.headers.get("if-none-match") === asset.etag)
    return new Response(null, { status: 304, headers });
  return new Response(request.method === "HEAD" ? null : asset.body, { headers });
}
