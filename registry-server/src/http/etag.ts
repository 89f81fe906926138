import type { Context } from "hono";

/**
 * Answers with `body` as JSON under a strong ETag, or 304 when the client's `If-None-Match`
 * already names it.
 */
export function jsonWithEtag(c: Context, body: unknown, contentType = "application/json"): Response {
  const text = JSON.stringify(body);
  const etag = `"${Bun.hash(text).toString(36)}"`;
  const headers = { etag, "cache-control": "max-age=0, must-revalidate", vary: "accept, authorization" };
  const ifNoneMatch = c.req.header("if-none-match");
  if (ifNoneMatch?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(text, { headers: { ...headers, "content-type": contentType } });
}

/** The base URL tarball links point at. */
export function baseUrlOf(c: Context, publicUrl: string | undefined): string {
  return (publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, "");
}
