/**
 * How the egress proxy refuses: the status of the error's code, a JSON body
 * `{ error: { code, message } }`, and the same code and message in `X-Buntime-Error`, the
 * one place a client sees when it refuses a tunnel (Bun's fetch keeps a refused CONNECT's
 * headers on its error, not its body).
 */
import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { BuntimeError } from "@buntime/sdk";

/** The response header that carries `<code>: <message>` on every refusal. */
export const EGRESS_ERROR_HEADER = "x-buntime-error";

/** Any failure as a BuntimeError: ours as they are, anything else as a 400 naming it. */
export function asEgressError(error: unknown): BuntimeError {
  if (error instanceof BuntimeError) return error;
  const details = error instanceof Error ? error.message : String(error);
  return new BuntimeError("BUNTIME_ERR_POOL_EGRESS_BAD_REQUEST", { details }, { cause: error });
}

function headerValue(error: BuntimeError): string {
  // Messages are built from validated hosts and printable() input; this keeps the header legal anyway.
  return `${error.code}: ${error.message}`.replace(/[^\x20-\x7e]/g, "?");
}

/** Answers an absolute-URI request with the error, unless a response is already under way. */
export function refuseResponse(res: ServerResponse, error: BuntimeError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(error.toJSON());
  res.writeHead(error.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    connection: "close",
    [EGRESS_ERROR_HEADER]: headerValue(error),
  });
  res.end(body);
}

/** Answers on a raw socket (a CONNECT, a request the parser rejected) and closes it. */
export function refuseSocket(socket: Duplex, error: BuntimeError): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(error.toJSON());
  const reason = { 400: "Bad Request", 403: "Forbidden", 502: "Bad Gateway" }[error.status] ?? "Error";
  socket.end(
    `HTTP/1.1 ${error.status} ${reason}\r\n` +
      "Content-Type: application/json\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Buntime-Error: ${headerValue(error)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}
