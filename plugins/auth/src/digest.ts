/** Small crypto helpers: random tokens and the SHA-256 digests under which secrets are stored. */

/** A random url-safe token of `bytes` random bytes. */
export function randomToken(bytes = 32): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("base64url");
}

/** The hex SHA-256 of `text`: secrets are stored and looked up by it, never as themselves. */
export function sha256(text: string): string {
  return new Bun.CryptoHasher("sha256").update(text).digest("hex");
}
