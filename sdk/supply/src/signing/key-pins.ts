import { BuntimeError } from "@buntime/sdk";
import type { TrustedKey } from "./signatures.ts";

/** Registry keys a client trusts, per registry URL: configured ones, or pinned at first use. */
export type KeyPins = Record<string, TrustedKey[]>;

/** What {@link trustRegistryKeys} decided. */
export interface TrustedRegistryKeys {
  keys: TrustedKey[];
  /** True when nothing was pinned for this registry and the served keys were pinned now. */
  pinnedNow: boolean;
}

/**
 * Trust on first use: the keys a registry serves are trusted when nothing is pinned for it
 * yet (the caller saves them); afterwards a served key that is not pinned is refused with
 * `BUNTIME_ERR_SIGNATURE_KEY_CHANGED`, and only pinned keys verify.
 */
export function trustRegistryKeys(
  registry: string,
  served: readonly TrustedKey[],
  pins: KeyPins,
): TrustedRegistryKeys {
  const pinned = pins[registry];
  if (!pinned || pinned.length === 0) return { keys: [...served], pinnedNow: true };
  for (const key of served) {
    const match = pinned.find((p) => p.keyid === key.keyid);
    if (!match || match.key !== key.key) {
      throw new BuntimeError("BUNTIME_ERR_SIGNATURE_KEY_CHANGED", {
        registry,
        keyid: key.keyid,
        pinned: pinned.map((p) => p.keyid).join(", "),
      });
    }
  }
  return { keys: pinned, pinnedNow: false };
}
