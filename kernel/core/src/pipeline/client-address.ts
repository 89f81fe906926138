/**
 * The client's address, as `ctx.clientAddress()`, `kernel:clients`, rate limits and the
 * `x-forwarded-for` of apps that ask for it all take it. Bun reads it with a system call each
 * time, so it is read only when asked for. By default the address the kernel's server saw, and
 * never a header a client could write. With `trustProxy` set, the kernel walks back from that
 * address through the forwarding header, one hop per trusted proxy (as Express's and Fastify's
 * `trustProxy` do): the client is the first address that is not a trusted proxy, so entries a
 * client wrote itself, left of what the trusted proxies appended, are never read.
 */
import { BlockList, isIP } from "node:net";
import type { ResolvedTrustProxy } from "../config/trust-proxy.ts";

/** One element's `for=` of a `Forwarded` header (RFC 7239), quotes removed. */
function forwardedFor(element: string): string {
  for (const pair of element.split(";")) {
    const [name, value] = pair.split("=", 2);
    if (name?.trim().toLowerCase() === "for" && value !== undefined)
      return value.trim().replace(/^"|"$/g, "");
  }
  return "";
}

/** An address with any port and brackets removed (`[::1]:80`, `192.0.2.1:80`), or undefined if none. */
export function plainAddress(entry: string): string | undefined {
  let value = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed?.[1]) value = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(":"));
  return isIP(value) === 0 ? undefined : value;
}

/** The addresses the proxies named, nearest the kernel first (the header read right to left). */
function forwardedChain(request: Request, header: ResolvedTrustProxy["header"]): string[] {
  const raw = request.headers.get(header);
  if (raw === null) return [];
  if (header === "x-real-ip") return [raw];
  const entries = raw.split(",");
  return (header === "forwarded" ? entries.map(forwardedFor) : entries).reverse();
}

function blockListOf(proxies: readonly string[]): BlockList {
  const list = new BlockList();
  for (const proxy of proxies) {
    const [address, bits] = proxy.split("/");
    const family = isIP(address ?? "") === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(address as string, family);
    else list.addSubnet(address as string, Number(bits), family);
  }
  return list;
}

/**
 * The client address function for `trustProxy` (undefined: trust no header), over `socketAddress`,
 * the address the kernel's server saw.
 */
export function createClientAddress(
  trust: ResolvedTrustProxy | undefined,
  socketAddress: (request: Request) => string | undefined,
): (request: Request) => string | undefined {
  if (trust === undefined) return socketAddress;
  const trusted = trust.proxies ? blockListOf(trust.proxies) : undefined;
  const isTrusted = (address: string, hop: number) =>
    trusted ? trusted.check(address, isIP(address) === 6 ? "ipv6" : "ipv4") : hop < (trust.hops ?? 0);
  return (request) => {
    let client = socketAddress(request);
    if (client === undefined) return undefined; // no socket (in-process requests): nothing to trust
    const chain = forwardedChain(request, trust.header);
    for (let hop = 0; hop <= chain.length && isTrusted(client, hop); hop++) {
      const named = chain[hop];
      if (named === undefined) break; // every hop trusted: the farthest address named is the client
      const address = plainAddress(named);
      // a trusted proxy that names no address (`unknown`, `_hidden`): it is as far as we know
      if (address === undefined) break;
      client = address;
    }
    return client;
  };
}
