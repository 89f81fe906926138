import { describe, expect, it } from "bun:test";
import { createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import {
  generatePublisherKeys,
  keyIdOf,
  readPrivateKey,
  readPublisherKey,
  signIntegrity,
  signRegistryVersion,
  spkiOf,
  trustRegistryKeys,
  verifyPublisherSignature,
  verifyRegistrySignature,
} from "@buntime/supply";

const integrity = "sha512-AAAA";

function registryKey() {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const trusted = {
    keyid: keyIdOf(publicKey),
    key: publicKey.export({ type: "spki", format: "der" }).toString("base64"),
  };
  const signFor = (message: string) => ({
    keyid: trusted.keyid,
    sig: sign("sha256", Buffer.from(message), privateKey).toString("base64"),
  });
  return { trusted, signFor };
}

describe("publisher signatures", () => {
  it("verifies a signature made with the publisher's key", () => {
    const keys = generatePublisherKeys();
    const signature = signIntegrity(keys.privateKey, integrity);
    expect(signature.keyid).toBe(keys.keyid);
    const trusted = [{ keyid: keys.keyid, key: keys.publicKey }];
    expect(verifyPublisherSignature("hello@1.0.0", integrity, [signature], trusted)).toEqual(signature);
  });

  it("refuses a signature over another integrity", () => {
    const keys = generatePublisherKeys();
    const signature = signIntegrity(keys.privateKey, "sha512-BBBB");
    expect(() =>
      verifyPublisherSignature(
        "hello@1.0.0",
        integrity,
        [signature],
        [{ keyid: keys.keyid, key: keys.publicKey }],
      ),
    ).toThrow("hello@1.0.0: publisher signature does not verify (the signature does not match the tarball)");
  });

  it("refuses a signature from a key the publisher never registered", () => {
    const signature = signIntegrity(generatePublisherKeys().privateKey, integrity);
    expect(() => verifyPublisherSignature("hello@1.0.0", integrity, [signature], [])).toThrow(
      `signed with ${signature.keyid}, none of them a trusted key`,
    );
  });

  it("refuses a private key that is not ed25519", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(() => readPrivateKey(pem, "key.pem")).toThrow(
      "invalid signing key key.pem: expected an ed25519 key, got ec",
    );
  });
});

describe("registry signatures", () => {
  it("verifies npm's ECDSA signature over name@version:integrity", () => {
    const { trusted, signFor } = registryKey();
    const signature = signFor(`hello@1.0.0:${integrity}`);
    expect(verifyRegistrySignature("hello", "1.0.0", integrity, [signature], [trusted])).toEqual(signature);
  });

  it("refuses a registry signature for another version", () => {
    const { trusted, signFor } = registryKey();
    const signature = signFor(`hello@2.0.0:${integrity}`);
    expect(() => verifyRegistrySignature("hello", "1.0.0", integrity, [signature], [trusted])).toThrow(
      "hello@1.0.0: registry signature does not verify",
    );
  });
});

describe("registry signing", () => {
  it("signs a version so that clients verify it against the served key", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const signature = signRegistryVersion(privateKey, "hello", "1.0.0", integrity);
    const served = { keyid: keyIdOf(publicKey), key: spkiOf(publicKey) };
    expect(signature.keyid).toBe(served.keyid);
    expect(verifyRegistrySignature("hello", "1.0.0", integrity, [signature], [served])).toEqual(signature);
  });

  it("refuses, without crashing, a signature checked against a key of the wrong kind", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const signature = signRegistryVersion(privateKey, "hello", "1.0.0", integrity);
    const publisher = readPublisherKey(generatePublisherKeys().publicKey);
    const wrong = { keyid: signature.keyid, key: spkiOf(publisher) };
    expect(() => verifyRegistrySignature("hello", "1.0.0", integrity, [signature], [wrong])).toThrow(
      "the signature does not match the tarball",
    );
  });
});

describe("publisher keys", () => {
  it("reads an ed25519 public key as PEM or as base64 SPKI, with one key id", () => {
    const keys = generatePublisherKeys();
    const fromPem = readPublisherKey(keys.publicKey);
    expect(keyIdOf(readPublisherKey(spkiOf(fromPem)))).toBe(keys.keyid);
  });

  it.each([
    [
      "an ECDSA key",
      () =>
        generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({
          type: "spki",
          format: "pem",
        }),
      "expected an ed25519 key, got ec",
    ],
    ["a private key", () => generatePublisherKeys().privateKey, "a private key, where a public key belongs"],
    ["text that is no key", () => "hello", "not a PEM or base64 SPKI public key"],
  ])("refuses %s", (_label, text, details) => {
    expect(() => readPublisherKey(String(text()), "alice.pub")).toThrow(
      `invalid signing key alice.pub: ${details}`,
    );
  });
});

describe("registry key pins", () => {
  it("pins the served keys on first use, then trusts only them", () => {
    const { trusted } = registryKey();
    const first = trustRegistryKeys("http://r/", [trusted], {});
    expect(first).toEqual({ keys: [trusted], pinnedNow: true });
    expect(trustRegistryKeys("http://r/", [trusted], { "http://r/": [trusted] }).pinnedNow).toBe(false);
  });

  it("refuses a registry that now serves a key other than the pinned one", () => {
    const pinned = registryKey().trusted;
    const served = registryKey().trusted;
    expect(() => trustRegistryKeys("http://r/", [served], { "http://r/": [pinned] })).toThrow(
      `registry http://r/ now signs with key ${served.keyid}, not the pinned ${pinned.keyid}`,
    );
  });

  it("derives npm's key id from the SPKI bytes", () => {
    const keys = generatePublisherKeys();
    expect(keyIdOf(createPublicKey(keys.publicKey))).toBe(keys.keyid);
    expect(keys.keyid).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
