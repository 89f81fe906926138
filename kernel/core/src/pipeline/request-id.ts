const VALID_ID = /^[\w.:-]{1,128}$/;
/** Random per process, so ids from different kernels do not collide. */
const PROCESS_PREFIX = crypto.randomUUID().slice(0, 8);
let sequence = 0;

/** Header carrying the id of a request on every response. */
export const REQUEST_ID_HEADER = "x-request-id";

/** A fresh id, `<process>-<sequence>`: unique per process and cheaper than a UUID. */
export function newRequestId(): string {
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  return `${PROCESS_PREFIX}-${sequence.toString(36)}`;
}

/**
 * The caller's request id when it is sane (a proxy in front sets it), otherwise a fresh one.
 * Only used when the kernel is told to trust callers' ids: reading a request's headers at all
 * costs Bun a sizeable share of a small request.
 */
export function trustedRequestIdOf(request: Request): string {
  const given = request.headers.get(REQUEST_ID_HEADER);
  return given !== null && VALID_ID.test(given) ? given : newRequestId();
}

/** Sets a header on a response, copying it first when its headers are immutable (e.g. from fetch). */
export function withHeader(response: Response, name: string, value: string): Response {
  try {
    response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set(name, value);
    return copy;
  }
}
