import { createHash, randomBytes } from "node:crypto";
import type { MetadataStore, TokenRecord, TokenScope } from "../storage/types.ts";

const SCOPE_RANK: Record<TokenScope, number> = { read: 0, publish: 1, admin: 2 };

/** True when a token of scope `have` may do what needs `need`. */
export function scopeAllows(have: TokenScope, need: TokenScope): boolean {
  return SCOPE_RANK[have] >= SCOPE_RANK[need];
}

/** Hex sha256 of a token secret: what the store keeps. Tokens are random, so no salt is needed. */
export function hashToken(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** Mints a token for `user`, stores its hash and returns the secret (shown once). */
export async function mintToken(
  metadata: MetadataStore,
  user: string,
  scope: TokenScope,
  label: string,
): Promise<{ secret: string; record: TokenRecord }> {
  const secret = `bt_${randomBytes(32).toString("base64url")}`;
  const record: TokenRecord = {
    id: crypto.randomUUID(),
    user,
    label,
    hash: hashToken(secret),
    scope,
    createdAt: new Date().toISOString(),
    revokedAt: null,
  };
  await metadata.createToken(record);
  return { secret, record };
}
