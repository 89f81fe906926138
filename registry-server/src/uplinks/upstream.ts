import { BuntimeError } from "@buntime/sdk";

/** One upstream registry, with its defaults applied. */
export interface Uplink {
  /** Base URL without a trailing slash. */
  url: string;
  token?: string;
  maxAgeMs: number;
  timeoutMs: number;
  maxTarballBytes: number;
}

/** An upstream packument is capped too: a hostile or broken upstream cannot fill memory. */
const MAX_PACKUMENT_BYTES = 64 * 1024 * 1024;

/** What an upstream answered. */
export type UpstreamAnswer =
  | { kind: "found"; body: Uint8Array; etag: string | undefined }
  | { kind: "unchanged" }
  | { kind: "missing" };

/** Reads a response body, refusing one past `max` bytes without reading further. */
async function readCapped(response: Response, max: number, what: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > max) throw new Error(`the ${what} is ${declared} bytes, over the ${max}-byte limit`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > max) throw new Error(`the ${what} is over the ${max}-byte limit`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * GETs `url` from `uplink` (its token only to its own origin, never to a tarball host elsewhere);
 * a 404 is `missing`, a 304 `unchanged`, anything else not 2xx or a network failure or timeout is
 * `BUNTIME_ERR_REGISTRY_UPLINK_FAILED` naming the package.
 */
export async function fetchUpstream(
  uplink: Uplink,
  url: string,
  pkg: string,
  options: { accept: string; etag?: string; max?: number; what: string },
): Promise<UpstreamAnswer> {
  const headers: Record<string, string> = { accept: options.accept };
  if (uplink.token && new URL(url).origin === new URL(uplink.url).origin)
    headers.authorization = `Bearer ${uplink.token}`;
  if (options.etag) headers["if-none-match"] = options.etag;
  try {
    const response = await fetch(url, {
      headers,
      redirect: "error",
      signal: AbortSignal.timeout(uplink.timeoutMs),
    });
    if (response.status === 304) return { kind: "unchanged" };
    if (response.status === 404) {
      await response.body?.cancel();
      return { kind: "missing" };
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status} for ${url}`);
    }
    const body = await readCapped(response, options.max ?? MAX_PACKUMENT_BYTES, options.what);
    return { kind: "found", body, etag: response.headers.get("etag") ?? undefined };
  } catch (error) {
    const details = error instanceof Error ? error.message : String(error);
    throw new BuntimeError(
      "BUNTIME_ERR_REGISTRY_UPLINK_FAILED",
      { package: pkg, uplink: uplink.url, details },
      { cause: error },
    );
  }
}
