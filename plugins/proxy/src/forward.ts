/**
 * Forwards one request to a rule's upstream and streams the answer back: bodies stream both
 * ways, encodings pass through untouched (no decompression), redirects are returned rather
 * than followed. The timeout covers the wait for the upstream's response headers; a streaming
 * body may take as long as it needs. A client that goes away aborts the upstream request.
 */
import {
  BuntimeError,
  type RequestContext,
  setIdentityHeaders,
  TRACEPARENT_HEADER,
  traceparentOf,
} from "@buntime/sdk";
import type { CompiledRule } from "./rule-table.ts";
import { upstreamPath } from "./rule-table.ts";

// Hop-by-hop headers (RFC 9110 7.6.1) concern one connection and are never forwarded.
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];

function applyChanges(headers: Headers, changes: { set: Record<string, string>; remove: string[] }): void {
  for (const name of changes.remove) headers.delete(name);
  for (const [name, value] of Object.entries(changes.set)) headers.set(name, value);
}

/**
 * The URL on the upstream under rule `entry` for a request to `pathname` (the path the rule
 * matched) with query `search`.
 */
export function upstreamUrl(entry: CompiledRule, pathname: string, search: string): URL {
  const target = new URL(entry.rule.upstream);
  const base = target.pathname.endsWith("/") ? target.pathname.slice(0, -1) : target.pathname;
  target.pathname = `${base}${upstreamPath(entry, pathname)}`;
  target.search = search;
  return target;
}

function requestHeaders(
  entry: CompiledRule,
  request: Request,
  context: RequestContext,
  url: URL,
  target: URL,
): Headers {
  const headers = new Headers(request.headers);
  const listed = headers.get("connection");
  for (const name of HOP_BY_HOP) headers.delete(name);
  for (const name of listed?.split(",") ?? []) headers.delete(name.trim());
  setIdentityHeaders(headers, context.locals.user);
  const client = context.clientAddress();
  const forwardedFor = [request.headers.get("x-forwarded-for"), client].filter(Boolean).join(", ");
  if (forwardedFor) headers.set("x-forwarded-for", forwardedFor);
  headers.set("x-forwarded-host", request.headers.get("host") ?? url.host);
  headers.set("x-forwarded-proto", url.protocol.slice(0, -1));
  if (!entry.rule.preserveHost) headers.set("host", target.host);
  // the upstream's logs can name the same request as the kernel's access line
  headers.set("x-request-id", context.requestId);
  // the trace context goes on: with tracing on it names the kernel's server span for this
  // request (the upstream's spans join the trace under it), or, for a trace the kernel does not
  // record, rides beside the request with the unsampled flag, so the upstream records none either
  const traceparent = traceparentOf(request);
  if (traceparent !== undefined) headers.set(TRACEPARENT_HEADER, traceparent);
  applyChanges(headers, entry.rule.requestHeaders);
  return headers;
}

function responseHeaders(entry: CompiledRule, upstream: Response): Headers {
  const headers = new Headers(upstream.headers);
  for (const name of HOP_BY_HOP) headers.delete(name);
  applyChanges(headers, entry.rule.responseHeaders);
  return headers;
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/**
 * Sends `request` upstream under rule `entry`; resolves with the upstream's answer or a coded
 * 502/504. The client's address (as the kernel's server saw it) is appended to
 * `x-forwarded-for`, the signed-in user (`locals.user`) named in `x-buntime-user` and
 * `x-buntime-roles`, and the kernel's request id sent as `x-request-id`.
 */
export async function forward(
  entry: CompiledRule,
  request: Request,
  context: RequestContext,
): Promise<Response> {
  const url = new URL(request.url);
  const target = upstreamUrl(entry, context.pathname, url.search);
  const { rule } = entry;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error("timeout")), rule.timeout);
  const onClientGone = () => controller.abort(request.signal.reason);
  request.signal.addEventListener("abort", onClientGone, { once: true });
  const hasBody = request.body !== null && request.method !== "GET" && request.method !== "HEAD";
  const init = {
    method: request.method,
    headers: requestHeaders(entry, request, context, url, target),
    body: hasBody ? request.body : undefined,
    duplex: "half",
    redirect: "manual",
    decompress: false,
    signal: controller.signal,
  };
  let upstream: Response;
  try {
    upstream = await fetch(target, init as RequestInit);
  } catch (error) {
    request.signal.removeEventListener("abort", onClientGone);
    const params = { rule: rule.id, upstream: target.origin };
    if (controller.signal.aborted && !request.signal.aborted) {
      return new BuntimeError("BUNTIME_ERR_PROXY_UPSTREAM_TIMEOUT", {
        ...params,
        ms: rule.timeout,
      }).getResponse();
    }
    return new BuntimeError(
      "BUNTIME_ERR_PROXY_UPSTREAM_UNREACHABLE",
      { ...params, reason: reasonOf(error) },
      {
        cause: error,
      },
    ).getResponse();
  } finally {
    clearTimeout(timer);
  }
  return new Response(upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: responseHeaders(entry, upstream),
  });
}
