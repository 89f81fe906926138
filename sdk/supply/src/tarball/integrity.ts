import { createHash } from "node:crypto";

/** The npm-style SRI integrity of some bytes: `sha512-<base64>`. */
export function integrityOf(bytes: Uint8Array): string {
  return `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
}

/** The hex sha1 npm still records as `dist.shasum`. */
export function shasumOf(bytes: Uint8Array): string {
  return createHash("sha1").update(bytes).digest("hex");
}

/** True when `bytes` hash to `integrity` (a `sha512-…` SRI string; other algorithms never match). */
export function matchesIntegrity(bytes: Uint8Array, integrity: string): boolean {
  return integrity.split(/\s+/).some((part) => part.startsWith("sha512-") && part === integrityOf(bytes));
}
