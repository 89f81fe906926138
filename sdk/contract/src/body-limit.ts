/**
 * A cap on request bodies for plugin routes. The kernel accepts bodies as large as an app may
 * need (Bun's default is 128 MB); an endpoint that takes a few fields (sign-in, a rule, a setting)
 * should refuse more before reading it, so that a caller, signed in or not, cannot make it buffer
 * megabytes. Hono's `bodyLimit` does the counting: a declared `content-length` is refused at once,
 * a chunked body is counted as it arrives and refused at the first byte past the cap.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { BuntimeError } from "./errors.ts";

/** The cap for endpoints that take a few fields: 16 KiB. */
export const SMALL_BODY_BYTES = 16 * 1024;

/**
 * Hono middleware refusing a body over `maxBytes` with 413 `BUNTIME_ERR_BODY_TOO_LARGE`, naming
 * the path and the cap, before the handler reads anything.
 *
 * @example
 * app.use("/api/*", limitBody()); // 16 KiB
 * app.put("/api/upload", limitBody(1024 * 1024), handler);
 */
export function limitBody(maxBytes: number = SMALL_BODY_BYTES): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => {
      throw new BuntimeError("BUNTIME_ERR_BODY_TOO_LARGE", { path: c.req.path, limit: maxBytes });
    },
  });
}
