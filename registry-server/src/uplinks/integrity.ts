import { createHash } from "node:crypto";

const STRENGTH = ["sha512", "sha384", "sha256"] as const;

/** The digest a tarball must have, from a version's `dist`: its strongest SRI hash, else the sha1 `shasum`. */
export interface ExpectedDigest {
  algorithm: string;
  /** base64 for SRI hashes, hex for sha1. */
  digest: string;
  /** As the upstream wrote it, for messages. */
  label: string;
}

/** What `dist` promises; undefined when it promises nothing this registry can check. */
export function expectedDigest(dist: Record<string, unknown> | undefined): ExpectedDigest | undefined {
  const integrity = typeof dist?.integrity === "string" ? dist.integrity : "";
  const hashes = integrity.split(/\s+/).map((entry) => /^(sha\d+)-([A-Za-z0-9+/=]+)(\?.*)?$/.exec(entry));
  for (const algorithm of STRENGTH) {
    const found = hashes.find((match) => match?.[1] === algorithm);
    if (found?.[2]) return { algorithm, digest: found[2], label: `${algorithm}-${found[2]}` };
  }
  if (typeof dist?.shasum === "string" && /^[0-9a-f]{40}$/i.test(dist.shasum)) {
    return { algorithm: "sha1", digest: dist.shasum.toLowerCase(), label: `sha1 ${dist.shasum}` };
  }
  return undefined;
}

/** The digest of `bytes` in the form `expected` is written in. */
export function actualDigest(bytes: Uint8Array, expected: ExpectedDigest): string {
  const hash = createHash(expected.algorithm).update(bytes);
  return expected.algorithm === "sha1" ? hash.digest("hex") : hash.digest("base64");
}
