/**
 * The `pluginPolicy` setting: what the kernel does with a plugin installed from a registry that
 * no trusted publisher signed (run it as usual, force it into isolated mode, or refuse it), whose
 * publisher keys it trusts, and which tier isolated plugins run in.
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { z } from "zod";

/** A public key given as PEM or base64 SPKI DER (what `buntime plugin keys` and registries print). */
export function publicKeyOf(text: string): KeyObject {
  if (/PRIVATE KEY/.test(text)) throw new Error("a private key, where a public key belongs (keep it secret)");
  const key = text.includes("-----BEGIN")
    ? createPublicKey(text)
    : createPublicKey({ key: Buffer.from(text, "base64"), format: "der", type: "spki" });
  if (key.asymmetricKeyType !== "ed25519")
    throw new Error(`expected an ed25519 key, got ${key.asymmetricKeyType}`);
  return key;
}

const publisherKey = z
  .object({
    /** Who the key belongs to, for messages. */
    name: z.string().min(1).optional(),
    /** The publisher's ed25519 public key: PEM, or base64 SPKI DER. */
    key: z.string().min(1),
  })
  .strict()
  .superRefine((entry, issue) => {
    try {
      publicKeyOf(entry.key);
    } catch (error) {
      issue.addIssue({
        code: "custom",
        path: ["key"],
        message: `not a publisher public key: ${error instanceof Error ? error.message : error}`,
      });
    }
  });

/** `pluginPolicy` in `buntime.config.json`. */
export const pluginPolicySchema = z
  .object({
    /**
     * A plugin installed in the home (`<home>/plugins`) that no trusted publisher signed:
     * `allow` runs it as its manifest says, `isolate` runs it as an isolated plugin in the pool,
     * `refuse` does not load it.
     */
    untrusted: z
      .enum(["allow", "isolate", "refuse"], { message: 'expected "allow", "isolate" or "refuse"' })
      .default("allow"),
    /** Publishers whose signature makes an installed plugin trusted. */
    trustedPublishers: z.array(publisherKey).default([]),
    /** The tier isolated plugins run in; the kernel's `isolation.minimum` may raise it. */
    isolation: z
      .enum(["thread", "process"], { message: 'expected "thread" or "process"' })
      .default("process"),
  })
  .strict();

/** `pluginPolicy` with its defaults applied. */
export type ResolvedPluginPolicy = z.output<typeof pluginPolicySchema>;
