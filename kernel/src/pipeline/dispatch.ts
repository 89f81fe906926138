import { BuntimeError, type Logger } from "@buntime/sdk";
import { callWithTimeout, hookFailure } from "../hooks/call-with-timeout.ts";
import { checkCsrf } from "./csrf.ts";
import type { PluginTable } from "./plugin-table.ts";
import { REQUEST_ID_HEADER, requestIdOf, withHeader } from "./request-id.ts";
import { isUnderBase, pathnameOf } from "./url-path.ts";

const KERNEL_API_PREFIX = "/_/api";

export interface DispatchOptions {
  /** The table of running plugins at the moment a request arrives. */
  currentTable(): PluginTable;
  /** The kernel's own API at `/_/api/*`. */
  kernelApi(request: Request): Response | Promise<Response>;
  hookTimeout: number;
  trustedOrigins: ReadonlySet<string>;
  logger: Logger;
}

/** Turns any failure into the JSON error response a client gets, logging what the client is not told. */
function failureResponse(error: unknown, logger: Logger, requestId: string): Response {
  const known =
    error instanceof BuntimeError ? error : new BuntimeError("BUNTIME_ERR_INTERNAL", {}, { cause: error });
  const cause = known.cause instanceof Error ? known.cause : undefined;
  logger.error(known.message, { requestId, plugin: known.plugin, code: known.code, cause });
  return known.getResponse();
}

/**
 * The request pipeline: CSRF check → `onRequest` hooks → kernel API → plugins by base,
 * longest first → 404 → `onResponse` hooks (reverse order), then the request id header.
 * A hook that throws or hangs costs this request a 500, never the kernel.
 */
export function createDispatcher(options: DispatchOptions): (request: Request) => Promise<Response> {
  const { hookTimeout, trustedOrigins, logger } = options;

  async function produce(
    table: PluginTable,
    original: Request,
    pathname: string,
  ): Promise<[Response, Request]> {
    let request = original;
    const refused = checkCsrf(request, pathname, trustedOrigins);
    if (refused) return [refused, request];
    for (const hook of table.requestHooks) {
      let out = callWithTimeout(hook.plugin, "onRequest", hookTimeout, () => hook.fn(request, hook.ctx));
      if (out instanceof Promise) out = await out;
      if (out instanceof Response) return [out, request];
      if (out instanceof Request) {
        request = out;
        pathname = pathnameOf(request.url);
      }
    }
    if (isUnderBase(pathname, KERNEL_API_PREFIX)) return [await options.kernelApi(request), request];
    for (const handler of table.handlers) {
      if (!isUnderBase(pathname, handler.base)) continue;
      let out: Response | undefined | Promise<Response | undefined>;
      try {
        out = handler.handle(request);
        if (out instanceof Promise) out = await out;
      } catch (error) {
        throw hookFailure(handler.plugin, "fetch", error);
      }
      if (out) return [out, request];
    }
    return [new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: pathname }).getResponse(), request];
  }

  async function finish(table: PluginTable, response: Response, request: Request): Promise<Response> {
    for (const hook of table.responseHooks) {
      let out = callWithTimeout(hook.plugin, "onResponse", hookTimeout, () =>
        hook.fn(response, request, hook.ctx),
      );
      if (out instanceof Promise) out = await out;
      if (out instanceof Response) response = out;
    }
    return response;
  }

  return async function dispatch(request: Request): Promise<Response> {
    const table = options.currentTable();
    const requestId = requestIdOf(request);
    table.enter();
    try {
      let response: Response;
      let seen = request;
      try {
        [response, seen] = await produce(table, request, pathnameOf(request.url));
      } catch (error) {
        response = failureResponse(error, logger, requestId);
      }
      try {
        response = await finish(table, response, seen);
      } catch (error) {
        response = failureResponse(error, logger, requestId);
      }
      return withHeader(response, REQUEST_ID_HEADER, requestId);
    } finally {
      table.leave();
    }
  };
}
