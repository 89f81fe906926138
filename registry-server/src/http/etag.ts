import type { Context } from "hono";

/** A JSON body rendered once, with its strong ETag. */
export interface RenderedJson {
  text: string;
  etag: string;
}

/** Renders `body` as JSON text with an ETag derived from its bytes. */
export function renderJson(body: unknown): RenderedJson {
  const text = JSON.stringify(body);
  return { text, etag: `"${Bun.hash(text).toString(36)}"` };
}

/** Answers with a rendered body, or 304 when the client's `If-None-Match` already names it. */
export function sendRendered(c: Context, rendered: RenderedJson, contentType = "application/json"): Response {
  const headers = {
    etag: rendered.etag,
    "cache-control": "max-age=0, must-revalidate",
    vary: "accept, authorization",
  };
  const ifNoneMatch = c.req.header("if-none-match");
  if (ifNoneMatch?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === rendered.etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(rendered.text, { headers: { ...headers, "content-type": contentType } });
}

/** Answers with `body` as JSON under a strong ETag (304 when unchanged). */
export function jsonWithEtag(c: Context, body: unknown, contentType = "application/json"): Response {
  return sendRendered(c, renderJson(body), contentType);
}

/** The base URL tarball links point at. */
export function baseUrlOf(c: Context, publicUrl: string | undefined): string {
  return (publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, "");
}
