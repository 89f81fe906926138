const VALID_ID = /^[\w.:-]{1,128}$/;

/** Header carrying the id of a request on every response. */
export const REQUEST_ID_HEADER = "x-request-id";

/** The caller's request id when it is sane, otherwise a fresh one. */
export function requestIdOf(request: Request): string {
  const given = request.headers.get(REQUEST_ID_HEADER);
  return given !== null && VALID_ID.test(given) ? given : crypto.randomUUID();
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
