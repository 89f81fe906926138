/**
 * The cluster token: a secret every node's logs plugin shares, which lets one node read another's
 * lines (and nothing else). Sent as `Authorization: Bearer <token>`; compared in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { BuntimeError } from "@buntime/sdk";

const digest = (text: string) => createHash("sha256").update(text).digest();

/** The header a node sends to its peers. */
export function peerAuthorization(token: string): string {
  return `Bearer ${token}`;
}

/**
 * A check of the requests of other nodes: undefined when they carry `Authorization: Bearer
 * <token>`, else the 401 to answer. Nothing else lets a request through: not a session, not an
 * admin (they read through their own node's `api/logs`).
 */
export function peerGuard(token: string): (request: Request) => Response | undefined {
  const expected = digest(peerAuthorization(token));
  return (request) => {
    const given = request.headers.get("authorization");
    if (given !== null && timingSafeEqual(digest(given), expected)) return undefined;
    return new BuntimeError("BUNTIME_ERR_LOGS_PEER_UNAUTHORIZED").getResponse({
      "www-authenticate": 'Bearer realm="buntime-logs-peers"',
    });
  };
}
