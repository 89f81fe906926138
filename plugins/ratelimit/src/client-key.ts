/**
 * Whose counter a request takes from: its client address, its user (through the `auth`
 * service), its API key (hashed, so raw keys never reach the store) or the rule itself.
 */
import type { PluginContext } from "@buntime/sdk";
import type { ResolvedRule } from "./config.ts";

/** What ratelimit needs of the auth plugin's `auth` service. */
export interface UserSource {
  currentUser(request: Request): unknown;
}

/** Where to find client identities. */
export interface KeySettings {
  /** A header a trusted proxy in front sets to the client's address; it wins when present. */
  readonly ipHeader: string | undefined;
  readonly apiKeyHeader: string;
  /** The address of the connection, from the kernel's `kernel:clients` service. */
  readonly socketAddress: ((request: Request) => string | undefined) | undefined;
}

function clientAddress(request: Request, settings: KeySettings): string {
  const value = settings.ipHeader ? request.headers.get(settings.ipHeader) : null;
  const first = value?.split(",")[0]?.trim() || settings.socketAddress?.(request);
  return `ip:${first || "unknown"}`;
}

function apiKeyOf(request: Request, settings: KeySettings): string | undefined {
  const given =
    request.headers.get(settings.apiKeyHeader) ??
    request.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!given) return undefined;
  return `key:${new Bun.CryptoHasher("sha256").update(given).digest("hex").slice(0, 32)}`;
}

function userId(user: unknown): string | undefined {
  if (typeof user === "string") return user || undefined;
  if (user === null || typeof user !== "object") return undefined;
  const record = user as Record<string, unknown>;
  const id = record.id ?? record.name ?? record.username;
  return typeof id === "string" || typeof id === "number" ? String(id) : undefined;
}

/** The counter key of `request` under a rule keyed by `kind`; anonymous callers fall back to their address. */
export function clientKey(
  kind: ResolvedRule["key"],
  request: Request,
  settings: KeySettings,
  ctx: PluginContext,
): string | Promise<string> {
  if (kind === "route") return "route";
  if (kind === "ip") return clientAddress(request, settings);
  if (kind === "apiKey") return apiKeyOf(request, settings) ?? clientAddress(request, settings);
  if (!ctx.services.has("auth")) return clientAddress(request, settings);
  const toKey = (found: unknown) => {
    const id = userId(found);
    return id === undefined ? clientAddress(request, settings) : `user:${id}`;
  };
  // A caller auth cannot place (a bad token, a failing lookup) is counted as anonymous.
  const anonymous = () => clientAddress(request, settings);
  let user: unknown;
  try {
    user = (ctx.services.get("auth") as UserSource).currentUser(request);
  } catch {
    return anonymous();
  }
  return user instanceof Promise ? user.then(toKey, anonymous) : toKey(user);
}
