/**
 * Plain-HTTP requests through the proxy (`GET http://host/path HTTP/1.1`): the target comes
 * from the absolute URI, is routed like a CONNECT, and the request is sent to the checked
 * address with the URI's host as `Host`, so a forged `Host` header cannot pick another site.
 * Bodies stream both ways; hop-by-hop headers stop at the proxy.
 */
import { type IncomingHttpHeaders, type IncomingMessage, request, type ServerResponse } from "node:http";
import { BuntimeError } from "@buntime/sdk";
import { asEgressError, refuseResponse } from "./denial.ts";
import type { Router } from "./route.ts";
import { type EgressTarget, parseAuthority, printable } from "./target.ts";
import type { EgressTimings } from "./tunnel.ts";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** The end-to-end headers: without hop-by-hop ones and those the `Connection` header names. */
export function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const named = new Set(
    String(headers.connection ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase()),
  );
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !named.has(name)) kept[name] = value;
  }
  return kept;
}

function badRequest(details: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_POOL_EGRESS_BAD_REQUEST", { details });
}

function targetUrl(raw: string): URL {
  if (raw.startsWith("/") || raw === "*") {
    throw badRequest("this is an egress proxy: send an absolute http:// URI, or CONNECT for https");
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest(`"${printable(raw)}" is not a URL`);
  }
  if (url.protocol !== "http:") {
    throw badRequest(
      `only http:// goes as a plain request (got ${printable(url.protocol)}); use CONNECT for TLS`,
    );
  }
  if (url.username || url.password) throw badRequest("credentials in the URL are not forwarded");
  return url;
}

/** Handles one absolute-URI request: refuse with the reason, or forward it to the allowed target. */
export async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  router: Router,
  timings: EgressTimings,
): Promise<void> {
  let url: URL;
  let target: EgressTarget;
  let addresses: readonly string[];
  try {
    url = targetUrl(req.url ?? "");
    const parsed = parseAuthority(url.host, 80);
    if ("problem" in parsed) throw badRequest(parsed.problem);
    target = parsed;
    addresses = await router.addresses(target);
  } catch (error) {
    req.resume();
    refuseResponse(res, asEgressError(error));
    return;
  }
  if (req.socket.destroyed) return; // the app gave up while the name was resolved
  const upstream = request({
    host: addresses[0],
    port: target.port,
    method: req.method,
    path: `${url.pathname}${url.search}`,
    headers: { ...endToEnd(req.headers), host: url.host },
    setHost: false,
    agent: false,
  });
  // The connect gets connectTimeoutMs; after that only silence counts (idleTimeoutMs), so a
  // slow answer is not cut off. (http.request's `timeout` option would count the whole wait.)
  const connectTimer = setTimeout(
    () => upstream.destroy(new Error(`no answer within ${timings.connectTimeoutMs} ms`)),
    timings.connectTimeoutMs,
  );
  upstream.on("socket", (socket) =>
    socket.once("connect", () => {
      clearTimeout(connectTimer);
      upstream.setTimeout(timings.idleTimeoutMs, () => upstream.destroy(new Error("upstream went silent")));
    }),
  );
  upstream.on("response", (answer) => {
    answer.on("error", () => res.destroy());
    try {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
    } catch (error) {
      // A status or header the upstream sent that a response may not carry (writeHead throws).
      upstream.destroy();
      refuseResponse(
        res,
        router.unreachable(target, new Error(`invalid response: ${(error as Error).message}`)),
      );
      return;
    }
    answer.pipe(res);
  });
  upstream.on("error", (error) => {
    clearTimeout(connectTimer);
    refuseResponse(res, router.unreachable(target, error));
  });
  res.on("close", () => {
    clearTimeout(connectTimer);
    upstream.destroy();
  });
  req.pipe(upstream);
}
