/**
 * What a client learns when an app fails: an admin (the `admin` role, or the kernel's admin
 * token) sees the pool's whole reason, a syntax error's file, line and message included; anyone
 * else sees only that the app failed and the request id to quote, never a stack trace or a
 * file path. The reason is in the kernel's log under that request id either way.
 */
import { BuntimeError, type ErrorCode } from "@buntime/sdk";

/** The failures whose reason may carry a stack, a parser message or a path. */
const DETAILED: ReadonlySet<string> = new Set<ErrorCode>([
  "BUNTIME_ERR_POOL_WORKER_FAILED",
  "BUNTIME_ERR_POOL_APP_ENTRY_MISSING",
]);

/** Statuses such a failure answers with. */
const FAILURE_STATUSES = new Set([500, 502]);

/** Could `response` be a failure whose details are for admins only? Cheap: status and type alone. */
export function mayCarryDetails(response: Response): boolean {
  return (
    FAILURE_STATUSES.has(response.status) &&
    (response.headers.get("content-type")?.startsWith("application/json") ?? false)
  );
}

/**
 * The response for someone who is not an admin: the same code and status, the app named, the
 * reason replaced by where to find it. Anything that is not such a failure passes unchanged.
 *
 * @example
 * const shown = admin ? response : await withoutDetails(response, "notes", context.requestId);
 */
export async function withoutDetails(response: Response, app: string, requestId: string): Promise<Response> {
  let code: unknown;
  const copy = response.clone();
  try {
    code = ((await copy.json()) as { error?: { code?: unknown } }).error?.code;
  } catch {
    return response;
  }
  if (typeof code !== "string" || !DETAILED.has(code)) return response;
  await response.body?.cancel();
  const hidden = `see request ${requestId} in the kernel's log (the details are shown to admins)`;
  const error =
    code === "BUNTIME_ERR_POOL_APP_ENTRY_MISSING"
      ? new BuntimeError(code, { app, details: hidden })
      : new BuntimeError("BUNTIME_ERR_POOL_WORKER_FAILED", { app, reason: hidden });
  return error.getResponse({ "x-request-id": requestId });
}
