import { BuntimeError, isBuntimeError, type Logger } from "@buntime/sdk";
import type { ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";

/**
 * npm prints an error response only as `<status> <reason> - <method> <url>`, but it shows any
 * `npm-notice` header as a notice line, so the code and message travel there too. Yarn 2+ prints
 * the body's `error` as a string (npmjs's shape), so it gets `CODE: message` there, with `code`
 * and `message` beside it; it sends no user agent of its own, only its HTTP library's (`got`).
 */
function errorResponse(error: BuntimeError, headers: Record<string, string> = {}, userAgent = ""): Response {
  const line = `${error.code}: ${error.message}`;
  const notice = line.replace(/[^\x20-\x7e]/g, "?").slice(0, 1000);
  if (/^(yarn\/[2-9]|got \()/.test(userAgent)) {
    const body = { error: line, code: error.code, message: error.message };
    return Response.json(body, { status: error.status, headers: { ...headers, "npm-notice": notice } });
  }
  return error.getResponse({ ...headers, "npm-notice": notice });
}

/**
 * Renders every failure as `{error: {code, message}}` with the code's status; unexpected
 * failures are logged with the request that hit them.
 */
export const renderError =
  (logger: Logger): ErrorHandler =>
  (error, c) => {
    if (isBuntimeError(error)) {
      const headers: Record<string, string> = {};
      if (error.code === "BUNTIME_ERR_REGISTRY_RATE_LIMITED")
        headers["retry-after"] = String(error.params.seconds);
      if (error.status === 401) headers["www-authenticate"] = 'Bearer realm="buntime-registry"';
      return errorResponse(error, headers, c.req.header("user-agent"));
    }
    if (error instanceof HTTPException && error.status < 500) {
      return Response.json(
        { error: { code: "BUNTIME_ERR_BAD_REQUEST", message: error.message || "bad request" } },
        { status: error.status },
      );
    }
    if (error instanceof SyntaxError) {
      return errorResponse(
        new BuntimeError("BUNTIME_ERR_BAD_REQUEST", { details: `malformed JSON body: ${error.message}` }),
      );
    }
    logger.error("request failed", { method: c.req.method, path: c.req.path, error: String(error) });
    return errorResponse(
      new BuntimeError("BUNTIME_ERR_REGISTRY_INTERNAL", { details: (error as Error).message }),
    );
  };

/** The 404 for a path no route answers. */
export const renderNotFound: NotFoundHandler = (c) =>
  errorResponse(
    new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: c.req.path }),
    {},
    c.req.header("user-agent"),
  );
