/**
 * API keys: `bak_<random>` bearer tokens that act as their owner. Stored under the SHA-256 of
 * the key (looked up by it), with an index entry per owner for listing and revoking.
 */
import { randomToken, sha256 } from "./digest.ts";
import { type AuthKv, listAll } from "./kv.ts";

/** Prefix of every API key, so the guard tells them from other bearer tokens without a lookup. */
export const API_KEY_PREFIX = "bak_";

/** An API key as listed (never the key itself). */
export interface ApiKeyInfo {
  readonly id: string;
  readonly name: string;
  readonly username: string;
  readonly createdAt: number;
}

interface StoredKey extends ApiKeyInfo {
  readonly digest: string;
}

/** Creates, lists, finds and revokes API keys. */
export class ApiKeyStore {
  constructor(private readonly kv: AuthKv) {}

  /**
   * Creates a key for `username`; the returned `key` is shown once and never stored. `name` is
   * checked by the route's schema (1-100 characters, `keySchema`).
   */
  async create(username: string, name: string): Promise<ApiKeyInfo & { key: string }> {
    const key = `${API_KEY_PREFIX}${randomToken()}`;
    const digest = sha256(key);
    const info: StoredKey = { id: digest.slice(0, 16), name, username, createdAt: Date.now(), digest };
    await this.kv.set(`apikey/${digest}`, info);
    await this.kv.set(`apikey-of/${username}/${info.id}`, info);
    return { id: info.id, name, username, createdAt: info.createdAt, key };
  }

  /** The keys of `username`. */
  async list(username: string): Promise<ApiKeyInfo[]> {
    const entries = await listAll<StoredKey>(this.kv, `apikey-of/${username}/`);
    return entries.map(({ value }) => ({
      id: value.id,
      name: value.name,
      username: value.username,
      createdAt: value.createdAt,
    }));
  }

  /** The owner of `key`, or undefined when it is unknown or revoked. */
  async owner(key: string): Promise<string | undefined> {
    return (await this.kv.get<StoredKey>(`apikey/${sha256(key)}`))?.value.username;
  }

  /** Revokes key `id` of `username`; false when there is no such key. */
  async revoke(username: string, id: string): Promise<boolean> {
    const entry = await this.kv.get<StoredKey>(`apikey-of/${username}/${id}`);
    if (!entry) return false;
    await this.kv.delete(`apikey/${entry.value.digest}`);
    await this.kv.delete(`apikey-of/${username}/${id}`);
    return true;
  }
}
