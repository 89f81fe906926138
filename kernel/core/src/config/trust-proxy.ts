/**
 * The `trustProxy` setting: which proxies in front of the kernel (nginx, HAProxy, a load
 * balancer) it believes about the client's address, and through which header. Unset, no
 * forwarding header is believed. Named as Fastify and Express name theirs.
 */
import { isIP } from "node:net";
import { z } from "zod";

/** An IPv4 or IPv6 address, or a CIDR range (`10.0.0.0/8`, `fd00::/8`). */
const addressOrRange = z.string().refine(
  (value) => {
    const [address = "", bits, extra] = value.split("/");
    const family = isIP(address);
    if (family === 0 || extra !== undefined) return false;
    if (bits === undefined) return true;
    const size = Number(bits);
    return /^\d+$/.test(bits) && size <= (family === 4 ? 32 : 128);
  },
  { message: 'expected an IP address or a CIDR range, such as "10.0.0.0/8"' },
);

/** `trustProxy`: the header to read, and the proxies to believe (by address, or by count). */
export const trustProxySchema = z
  .object({
    /**
     * Where the proxies name the client: `x-forwarded-for` (each proxy appends the address it
     * saw), `x-real-ip` (one address, set by the proxy) or `forwarded` (RFC 7239, `for=`).
     * @default "x-forwarded-for"
     */
    header: z.enum(["x-forwarded-for", "x-real-ip", "forwarded"]).default("x-forwarded-for"),
    /** Addresses or CIDR ranges of the proxies to believe (safest: only they can name a client). */
    proxies: z.array(addressOrRange).min(1).optional(),
    /** Or how many proxies stand in front, each believed whatever its address. */
    hops: z.number().int().min(1).max(16).optional(),
  })
  .strict()
  .refine((value) => (value.proxies === undefined) !== (value.hops === undefined), {
    message: "give either proxies (the addresses of your proxies) or hops (how many there are)",
  });

/** `trustProxy` as written. */
export type TrustProxyOptions = z.input<typeof trustProxySchema>;
/** `trustProxy` with its default header. */
export type ResolvedTrustProxy = z.output<typeof trustProxySchema>;

/**
 * `BUNTIME_TRUST_PROXY`: a number of hops (`1`), or `,`-separated proxy addresses and ranges
 * (`127.0.0.1,10.0.0.0/8`), read with the default header.
 */
export function parseTrustProxyEnv(raw: string): TrustProxyOptions {
  if (/^\d+$/.test(raw.trim())) return { hops: Number(raw) };
  return {
    proxies: raw
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean),
  };
}
