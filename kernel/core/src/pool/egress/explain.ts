/**
 * Readable egress refusals inside the sandbox. When the proxy refuses a CONNECT, Bun's fetch
 * throws `ERR_PROXY_TUNNEL` "Proxy refused to open a tunnel: 403 Forbidden" and keeps the
 * reason only in the error's `headers`; a refused plain-http request comes back as a 403
 * response. This wrapper turns both into an {@link EgressRefusedError} whose message names
 * the permission to declare. It is only the explanation: the kernel-side proxy enforces.
 */

/** The response header the proxy puts its `<code>: <message>` in. */
const HEADER = "x-buntime-error";
const PREFIX = "BUNTIME_ERR_POOL_EGRESS_";

/** A request the kernel's egress proxy refused (or could not complete), with its code. */
export class EgressRefusedError extends Error {
  /** `BUNTIME_ERR_POOL_EGRESS_DENIED`, `…_ADDRESS_DENIED`, `…_UNREACHABLE` or `…_BAD_REQUEST`. */
  readonly code: string;
  readonly status: number;

  constructor(header: string, status: number, options?: { cause?: unknown }) {
    const split = header.indexOf(": ");
    super(split === -1 ? header : header.slice(split + 2), options);
    this.name = "EgressRefusedError";
    this.code = split === -1 ? "BUNTIME_ERR_POOL_EGRESS_DENIED" : header.slice(0, split);
    this.status = status;
  }
}

function refusal(headers: unknown, status: number, cause?: unknown): EgressRefusedError | undefined {
  const value = headers instanceof Headers ? headers.get(HEADER) : null;
  return value?.startsWith(PREFIX) ? new EgressRefusedError(value, status, { cause }) : undefined;
}

/**
 * Wraps `globalThis.fetch` once so egress refusals throw an {@link EgressRefusedError} carrying
 * the proxy's message, e.g. `app todo@1.2.0 may not reach evil.example:443: declare it in
 * permissions.network (e.g. "evil.example")`. Other errors and responses pass unchanged.
 */
export function explainEgressDenials(target: { fetch: typeof fetch } = globalThis): void {
  const original = target.fetch;
  if ((original as { explainsEgress?: boolean }).explainsEgress) return;
  const explained = async (...args: Parameters<typeof fetch>): Promise<Response> => {
    let response: Response;
    try {
      response = await original(...args);
    } catch (error) {
      const { headers, status } = (error ?? {}) as { headers?: unknown; status?: number };
      throw refusal(headers, status ?? 0, error) ?? error;
    }
    const refused = response.status >= 400 ? refusal(response.headers, response.status) : undefined;
    if (refused) {
      await response.body?.cancel();
      throw refused;
    }
    return response;
  };
  target.fetch = Object.assign(explained, original, { explainsEgress: true }) as typeof fetch;
}
