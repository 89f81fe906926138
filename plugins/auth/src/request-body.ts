/**
 * Reads a request body (JSON, or a form) and validates it, as auth's routes all do. Bodies are
 * capped at 16 KiB: sign-in, setup and user changes take a few fields, and most of these routes
 * answer anyone, so none of them buffers more.
 */
import { BuntimeError, limitBody } from "@buntime/sdk";
import type { Context } from "hono";
import type { z } from "zod";

function invalid(error: z.ZodError): BuntimeError {
  const details = error.issues
    .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`)
    .join("; ");
  return new BuntimeError("BUNTIME_ERR_AUTH_REQUEST_INVALID", { details });
}

const capBody = limitBody();

/**
 * The body parsed with `schema`; throws `BUNTIME_ERR_AUTH_REQUEST_INVALID` naming the field, or
 * `BUNTIME_ERR_BODY_TOO_LARGE` for a body over 16 KiB (refused before it is parsed).
 */
export async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  await capBody(c, async () => {});
  const type = c.req.header("content-type") ?? "";
  let raw: unknown;
  try {
    raw = type.includes("application/json") ? await c.req.json() : await c.req.parseBody();
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_AUTH_REQUEST_INVALID",
      { details: "unreadable body" },
      { cause: error },
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}

/** True unless the body is JSON: forms get pages and redirects rather than JSON. */
export function isForm(c: Context): boolean {
  return !(c.req.header("content-type") ?? "").includes("application/json");
}
