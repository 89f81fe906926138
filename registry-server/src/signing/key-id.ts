import { createHash, type KeyObject } from "node:crypto";

/** The DER (SPKI) bytes of a public key, base64. */
export function spkiBase64(key: KeyObject): string {
  return key.export({ type: "spki", format: "der" }).toString("base64");
}

/** npm's key id convention: `SHA256:` + unpadded base64 of the sha256 of the SPKI DER. */
export function keyIdOf(key: KeyObject): string {
  const der = key.export({ type: "spki", format: "der" });
  return `SHA256:${createHash("sha256").update(der).digest("base64").replace(/=+$/, "")}`;
}
