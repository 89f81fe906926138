/**
 * Where a sandboxed app wants to go, parsed the one way both the rules and the requests use:
 * hosts are normalised by the WHATWG URL parser (lower case, punycode, `0x7f.1` and
 * `2130706433` become `127.0.0.1`, IPv6 is compressed), so a rule and a request that name
 * the same host always compare equal, and an IP written in an unusual form is still an IP.
 */
import { isIP } from "node:net";

/** A normalised host and port, e.g. `{ host: "api.example.com", port: 443, ip: 0 }`. */
export interface EgressTarget {
  /** Lower case, punycode, no trailing dot; IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
  /** 4 or 6 when `host` is an IP address, 0 for a DNS name. */
  readonly ip: 0 | 4 | 6;
}

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;
const AUTHORITY = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]\s/?#@\\]+)(?::(\d{1,5}))?$/;

/**
 * Normalises a host as a URL would, or returns a reason it is not acceptable: no user
 * info, no IPv6 zone, DNS labels of letters, digits, `-` and `_`, 253 characters at most.
 */
export function normalizeHost(raw: string): { host: string; ip: 0 | 4 | 6 } | { problem: string } {
  let url: URL;
  try {
    url = new URL(`http://${raw}/`);
  } catch {
    return { problem: `"${printable(raw)}" is not a host name or IP address` };
  }
  if (url.username || url.password || url.port || url.pathname !== "/" || url.search || url.hash) {
    return { problem: `"${printable(raw)}" is not a plain host name or IP address` };
  }
  let host = url.hostname;
  if (host.startsWith("[")) host = host.slice(1, -1);
  const ip = isIP(host) as 0 | 4 | 6;
  if (ip !== 0) return { host, ip };
  if (host.endsWith(".")) host = host.slice(0, -1);
  const labels = host.split(".");
  if (host.length > 253 || !labels.every((label) => LABEL.test(label))) {
    return { problem: `"${printable(raw)}" is not a valid DNS name` };
  }
  // A name whose last label is all digits would be read as an IPv4 address by some resolvers.
  if (/^\d+$/.test(labels.at(-1) as string)) return { problem: `"${printable(raw)}" is not a valid host` };
  return { host, ip: 0 };
}

/** Splits `host[:port]` into its parts; the port is left out when not written. */
export function splitAuthority(raw: string): { host: string; port?: number } | { problem: string } {
  const match = AUTHORITY.exec(raw);
  if (!match) return { problem: `"${printable(raw)}" is not host:port` };
  const [, host, portPart] = match as unknown as [string, string, string | undefined];
  if (portPart === undefined) return { host };
  const port = Number(portPart);
  if (port < 1 || port > 65_535) return { problem: `port ${portPart} is out of range` };
  return { host, port };
}

/** Parses `host:port` (CONNECT's target) or `host` with `defaultPort` (a URL's host). */
export function parseAuthority(raw: string, defaultPort?: number): EgressTarget | { problem: string } {
  const parts = splitAuthority(raw);
  if ("problem" in parts) return parts;
  const port = parts.port ?? defaultPort;
  if (port === undefined) return { problem: `"${printable(raw)}" has no port` };
  const host = normalizeHost(parts.host);
  if ("problem" in host) return host;
  return { host: host.host, ip: host.ip, port };
}

/** `host:port` for messages and logs, with IPv6 in brackets. */
export function formatTarget(target: { host: string; port: number; ip?: number }): string {
  return `${target.ip === 6 ? `[${target.host}]` : target.host}:${target.port}`;
}

/**
 * The input cut to 100 characters, everything but printable ASCII escaped: safe in a message
 * and in a response header (which a hostile request must not be able to split).
 */
export function printable(raw: string): string {
  const cut = raw.length > 100 ? `${raw.slice(0, 100)}...` : raw;
  return cut.replace(/[^\x20-\x7e]|["\\]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
