/**
 * Asking every other node of a cluster the same question: each at the address it recorded in the
 * cluster's nodes table (`cluster.address`, `BUNTIME_NODE_ADDRESS`), all at the same time, with a
 * token only that node may see. A node that gives no usable answer is listed missing with why;
 * it never fails the others. Plugins that read cluster-wide (logs, metrics) share this one way of
 * asking, so each refuses redirects, waits a bounded time and reads a bounded body alike.
 */
import type { z } from "zod";

/** A node as the cluster view lists it: its name and, if it recorded one, where it is reached. */
export interface FanoutPeer {
  readonly node: string;
  readonly address?: string;
}

/** What one node gave (checked against the schema), or why it gave nothing. */
export type PeerAnswer<T> =
  | { readonly node: string; readonly status: "ok"; readonly value: T }
  | { readonly node: string; readonly status: "missing"; readonly reason: string };

/** How the nodes are asked. */
export interface FanoutOptions<T> {
  /** The path (and query) asked on each node, resolved against its address: `/logs/peer/logs?q=x`. */
  readonly path: string;
  /**
   * The token sent as `Authorization: Bearer <value>`. Without a value no node is asked: each is
   * missing with "`<setting>` is not set on this node".
   */
  readonly token: { readonly value: string | undefined; readonly setting: string };
  /** Milliseconds a node has to send its whole answer, headers and body. */
  readonly timeoutMs: number;
  /** Bytes an answer may have; past them the node is missing. @default PEER_ANSWER_BYTES */
  readonly maxBytes?: number;
  /** A node is trusted (it knows the token), but what it sends is still checked before it is used. */
  readonly schema: z.ZodType<T>;
  /** What the answer should be, for the reason of one that is not: "a logs answer". */
  readonly expected: string;
}

/** The default cap of one node's answer: 4 MiB. */
export const PEER_ANSWER_BYTES = 4 * 1024 * 1024;

/** An answer past the cap: read no further. */
class TooLarge extends Error {}

/** The body of `response`, refused at the first byte past `maxBytes` (declared or streamed). */
async function boundedText(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes || response.body === null) {
    await response.body?.cancel();
    if (declared > maxBytes) throw new TooLarge();
    return "";
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new TooLarge(); // leaving the loop cancels the stream
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

async function askPeer<T>(peer: FanoutPeer, options: FanoutOptions<T>): Promise<PeerAnswer<T>> {
  const { node, address } = peer;
  const missing = (reason: string): PeerAnswer<T> => ({ node, status: "missing", reason });
  if (address === undefined) return missing("it recorded no address (cluster.address, BUNTIME_NODE_ADDRESS)");
  const { value: token, setting } = options.token;
  if (token === undefined) return missing(`${setting} is not set on this node`);
  const maxBytes = options.maxBytes ?? PEER_ANSWER_BYTES;
  let url: URL;
  try {
    url = new URL(options.path, address);
  } catch {
    return missing(`its address is not a URL: ${address}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return missing(`its address is not http(s): ${address}`);
  }
  try {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      // the token goes to the recorded address only, never where a redirect points
      redirect: "manual",
      // covers the body too: a node that sends its headers and then stalls is missing as well
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (response.status < 200 || response.status > 299) {
      await response.body?.cancel();
      return missing(`it answered ${response.status}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(await boundedText(response, maxBytes));
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      return missing(`its answer is not ${options.expected}`);
    }
    const parsed = options.schema.safeParse(body);
    if (!parsed.success) return missing(`its answer is not ${options.expected}`);
    return { node, status: "ok", value: parsed.data };
  } catch (error) {
    if (error instanceof TooLarge) return missing(`its answer is larger than ${maxBytes} bytes`);
    if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) {
      return missing(`no answer within ${options.timeoutMs} ms`);
    }
    return missing(`unreachable: ${(error as Error).message}`);
  }
}

/**
 * Asks each of `peers` for `options.path` at the same time; resolves, in the order of `peers`,
 * with each node's checked answer or why it is missing. Never rejects. The caller leaves its own
 * node out (it reads its own state directly).
 *
 * @example
 * const view = await ctx.services.get("kernel:cluster").view();
 * const answers = await askPeers(view.cluster ? view.nodes.filter((n) => n.node !== self) : [], {
 *   path: "/metrics/peer/summary",
 *   token: { value: ctx.config.scrapeToken, setting: "scrapeToken" },
 *   timeoutMs: 3000,
 *   maxBytes: 64 * 1024,
 *   schema: summarySchema,
 *   expected: "a metrics summary",
 * });
 */
export function askPeers<T>(
  peers: readonly FanoutPeer[],
  options: FanoutOptions<T>,
): Promise<PeerAnswer<T>[]> {
  return Promise.all(peers.map((peer) => askPeer(peer, options)));
}
