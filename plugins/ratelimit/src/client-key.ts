/**
 * Whose counter a request takes from: its client address, its user (as the auth plugin set it in
 * `locals.user`), its API key (hashed, so raw keys never reach the store) or the rule itself.
 * Only identities the kernel or auth vouch for count: the address is the kernel's
 * (`ctx.clientAddress()`, which believes a forwarding header only from a proxy its `trustProxy`
 * names), and an unverified API key is counted by the caller's address, so a caller cannot earn
 * fresh counters by sending a made-up header or key.
 */
import type { RequestContext } from "@buntime/sdk";
import type { ResolvedRule } from "./config.ts";

/** Requests made in process have no address: they share one counter per rule. */
function clientAddress(context: RequestContext): string {
  return `ip:${context.clientAddress() || "unknown"}`;
}

/** The hashed API key of `request` when auth verified it (`locals.user.via` is `api-key`). */
function verifiedApiKeyOf(request: Request, context: RequestContext): string | undefined {
  if (context.locals.user?.via !== "api-key") return undefined;
  const given = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!given) return undefined;
  return `key:${new Bun.CryptoHasher("sha256").update(given).digest("hex").slice(0, 32)}`;
}

/**
 * The counter key of `request` under a rule keyed by `kind`. Callers without a user (for `user`
 * rules) or an API key auth verified (for `apiKey` rules) fall back to their address.
 */
export function clientKey(kind: ResolvedRule["key"], request: Request, context: RequestContext): string {
  if (kind === "route") return "route";
  if (kind === "user") {
    const username = context.locals.user?.username;
    if (username) return `user:${username}`;
  } else if (kind === "apiKey") {
    const key = verifiedApiKeyOf(request, context);
    if (key) return key;
  }
  return clientAddress(context);
}
