import { BuntimeError } from "@buntime/sdk";

/** How a client reaches its registry. */
export interface Transport {
  registry: string;
  token?: string;
  fetch: typeof fetch;
  /** How long a request may wait for the registry's answer, and a download for its next bytes. */
  timeoutMs: number;
  /** How many times an idempotent request (GET, HEAD) is tried again after a network failure, a timeout, a 429 or a 5xx. */
  retries: number;
  /** The first wait before trying again; each later one doubles (capped at 10 s, or the registry's Retry-After). */
  retryDelayMs: number;
}

/** Answers that a later try may not meet: the registry is overloaded or restarting. */
const TRANSIENT = new Set([408, 429, 500, 502, 503, 504]);
const MAX_DELAY_MS = 10_000;

function methodOf(init: RequestInit): string {
  return (init.method ?? "GET").toUpperCase();
}

/** The wait before try `attempt + 1`: exponential with jitter, or the registry's Retry-After seconds. */
function backoff(transport: Transport, attempt: number, response?: Response): number {
  const retryAfter = Number(response?.headers.get("retry-after"));
  if (Number.isFinite(retryAfter) && retryAfter > 0) return Math.min(retryAfter * 1000, MAX_DELAY_MS);
  const base = transport.retryDelayMs * 2 ** attempt;
  return Math.min(base / 2 + Math.random() * (base / 2), MAX_DELAY_MS);
}

/** Why a try failed, for the error: the timeout by name, else the network's reason. */
function reasonOf(error: unknown, transport: Transport): string {
  if (error instanceof DOMException && error.name === "TimeoutError")
    return `no answer within ${transport.timeoutMs} ms`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Sends a request to the registry with a timeout. GET and HEAD, which change nothing, are tried
 * again (at most `transport.retries` more times, with backoff) after a network failure, a
 * timeout, a 429 or a 5xx; any other request is sent once, since the registry may have acted on
 * it even when no answer came back. A request that never got an answer is
 * `BUNTIME_ERR_CLIENT_UNREACHABLE` naming the method, the URL and the tries.
 */
export async function send(transport: Transport, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (transport.token) headers.set("authorization", `Bearer ${transport.token}`);
  const url = new URL(path, transport.registry);
  const method = methodOf(init);
  const idempotent = method === "GET" || method === "HEAD";
  const tries = idempotent ? transport.retries + 1 : 1;
  let reason = "";
  for (let attempt = 0; attempt < tries; attempt++) {
    let response: Response | undefined;
    // the timeout covers the wait for the answer; a download's body has its own (bodyChunks)
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException("timed out", "TimeoutError")),
      transport.timeoutMs,
    );
    try {
      response = await transport.fetch(url, { ...init, headers, signal: controller.signal });
    } catch (error) {
      reason = reasonOf(error, transport);
      if (attempt + 1 < tries) {
        await Bun.sleep(backoff(transport, attempt));
        continue;
      }
      const tried = tries > 1 ? ` (tried ${tries} times)` : "";
      const unsure = idempotent
        ? ""
        : "; not sent again: the registry may have acted on it, so check before trying again";
      throw new BuntimeError(
        "BUNTIME_ERR_CLIENT_UNREACHABLE",
        { registry: transport.registry, reason: `${method} ${url.href}: ${reason}${tried}${unsure}` },
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
    if (attempt + 1 < tries && TRANSIENT.has(response.status)) {
      await response.body?.cancel().catch(() => undefined);
      await Bun.sleep(backoff(transport, attempt, response));
      continue;
    }
    return response;
  }
  // unreachable: the last try either returns or throws
  throw new BuntimeError("BUNTIME_ERR_CLIENT_UNREACHABLE", { registry: transport.registry, reason });
}

/**
 * The chunks of a response body, failing with `BUNTIME_ERR_CLIENT_UNREACHABLE` (naming `url`)
 * when the registry sends nothing for `transport.timeoutMs`: a stalled download ends instead of
 * hanging the command.
 */
export async function* bodyChunks(
  transport: Transport,
  body: ReadableStream<Uint8Array>,
  url: string,
): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new BuntimeError("BUNTIME_ERR_CLIENT_UNREACHABLE", {
                registry: transport.registry,
                reason: `GET ${url}: the download stalled (nothing for ${transport.timeoutMs} ms)`,
              }),
            ),
          transport.timeoutMs,
        );
      });
      const read = reader.read().catch((error: unknown) => {
        throw new BuntimeError(
          "BUNTIME_ERR_CLIENT_UNREACHABLE",
          {
            registry: transport.registry,
            reason: `GET ${url}: the download failed: ${reasonOf(error, transport)}`,
          },
          { cause: error },
        );
      });
      const next = await Promise.race([read, stalled]).finally(() => clearTimeout(timer));
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Throws `BUNTIME_ERR_CLIENT_HTTP` (with the registry's own code and message) for a non-2xx answer. */
export async function failure(transport: Transport, response: Response, action: string): Promise<never> {
  let details = response.statusText || "no details";
  let registryCode = "";
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } | string };
    if (typeof body.error === "string") details = body.error;
    else if (body.error?.message) {
      details = body.error.message;
      registryCode = body.error.code ?? "";
    }
  } catch {
    // not JSON: keep the status text
  }
  throw new BuntimeError("BUNTIME_ERR_CLIENT_HTTP", {
    registry: transport.registry,
    status: response.status,
    action,
    details: registryCode ? `${details} [${registryCode}]` : details,
    registryCode,
  });
}

/** The URL path of a package: `@scope%2fname` for scoped names, as npm sends it. */
export function packagePath(name: string): string {
  return name.startsWith("@") ? `${name.replace("/", "%2f")}` : encodeURIComponent(name);
}
