/** Signing keys for the tests: an RSA or EC key pair as JWKs with a `kid`, and a JWT signer. */
import { Jwt } from "hono/utils/jwt";

/** A key pair whose private half signs tokens and whose public half goes in a JWKS. */
export interface TestKeyPair {
  readonly privateJwk: JsonWebKey & { kid: string; alg: string };
  readonly publicJwk: JsonWebKey & { kid: string; alg: string };
}

/** Makes an RS256 or ES256 key pair named `kid`. */
export async function keyPair(alg: "RS256" | "ES256", kid: string): Promise<TestKeyPair> {
  const algorithm =
    alg === "RS256"
      ? {
          name: "RSASSA-PKCS1-v1_5",
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: "SHA-256",
        }
      : { name: "ECDSA", namedCurve: "P-256" };
  const pair = (await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair;
  const privateJwk = { ...(await crypto.subtle.exportKey("jwk", pair.privateKey)), kid, alg };
  const publicJwk = { ...(await crypto.subtle.exportKey("jwk", pair.publicKey)), kid, alg };
  return { privateJwk, publicJwk };
}

/** Signs `claims` (with `exp` an hour from now unless given) with `key`. */
export function signToken(claims: Record<string, unknown>, key: TestKeyPair | string): Promise<string> {
  const payload = { exp: Math.floor(Date.now() / 1000) + 3600, ...claims };
  return typeof key === "string" ? Jwt.sign(payload, key, "HS256") : Jwt.sign(payload, key.privateJwk);
}
