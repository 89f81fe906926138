/**
 * Kernel-side name resolution for the egress proxy. The sandbox has no resolver of its own;
 * the proxy resolves once and connects to the address it checked, so a name cannot resolve
 * to one address for the check and another for the connection. A declared name may lead
 * only to public addresses: an address on loopback, a private network, link-local (cloud
 * metadata) and the like is reached only when that address is itself allowed, so a name
 * whose DNS the app's author controls cannot be pointed at the kernel or the host's network.
 */
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import type { CompiledPolicy } from "./policy.ts";
import type { EgressTarget } from "./target.ts";

/** Resolves a DNS name to its addresses (the default is the system resolver). */
export type EgressLookup = (host: string) => Promise<readonly string[]>;

const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, "ipv4");
}
// IPv4-mapped IPv6 (::ffff:a.b.c.d) is checked against the IPv4 subnets above by BlockList.
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, "ipv6");
}

/** True for loopback, private, link-local, CGNAT, multicast and reserved addresses. */
export function isNonPublic(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && NON_PUBLIC.check(address, family === 6 ? "ipv6" : "ipv4");
}

/** The system resolver, every address of both families. */
export const systemLookup: EgressLookup = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** What resolving an allowed target gave: addresses to try, or the address that was refused. */
export type Resolution = { readonly addresses: readonly string[] } | { readonly refused: string };

/**
 * The addresses the proxy may connect to for an allowed `target`: an IP target itself; for
 * a name, its public addresses plus any non-public one the policy allows at that port.
 * Throws what the resolver throws (ENOTFOUND and the like).
 */
export async function resolveTarget(
  target: EgressTarget,
  policy: CompiledPolicy,
  resolver: EgressLookup,
): Promise<Resolution> {
  if (target.ip !== 0) return { addresses: [target.host] };
  const all = await resolver(target.host);
  const permitted = all.filter((address) => {
    const family = isIP(address);
    if (family === 0) return false;
    if (!isNonPublic(address)) return true;
    return policy.allows({ host: address, port: target.port, ip: family as 4 | 6 });
  });
  if (permitted.length > 0) return { addresses: permitted };
  const refused = all.find((address) => isIP(address) !== 0);
  if (refused === undefined)
    throw Object.assign(new Error(`no address for ${target.host}`), { code: "ENOTFOUND" });
  return { refused };
}
