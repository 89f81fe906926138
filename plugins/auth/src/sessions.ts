/**
 * Browser sessions: a random id in an HttpOnly cookie; the store keeps only its SHA-256, with
 * the session's lifetime as its TTL, so a leaked store does not leak live sessions. Each session
 * is also listed under its user (`user-session/<user>/<hash>`), so a password change can end the
 * user's other sessions.
 */
import { randomToken, sha256 } from "./digest.ts";
import { type AuthKv, listAll } from "./kv.ts";

interface StoredSession {
  readonly username: string;
  readonly expiresAt: number;
}

/** Where the sessions of `username` are listed (the name encoded: it may hold `/`). */
function userPrefix(username: string): string {
  return `user-session/${encodeURIComponent(username)}/`;
}

/** Creates, finds and ends sessions. */
export class SessionStore {
  constructor(
    private readonly kv: AuthKv,
    private readonly ttl: number,
  ) {}

  /** Starts a session for `username`; returns the id to put in the cookie. */
  async create(username: string): Promise<string> {
    const id = randomToken();
    const hash = sha256(id);
    const session: StoredSession = { username, expiresAt: Date.now() + this.ttl };
    await this.kv.set(`user-session/${encodeURIComponent(username)}/${hash}`, true, { ttl: this.ttl });
    await this.kv.set(`session/${hash}`, session, { ttl: this.ttl });
    return id;
  }

  /** The username of a live session, or undefined. */
  async find(id: string): Promise<string | undefined> {
    const entry = await this.kv.get<StoredSession>(`session/${sha256(id)}`);
    if (!entry || entry.value.expiresAt <= Date.now()) return undefined;
    return entry.value.username;
  }

  async end(id: string): Promise<void> {
    const hash = sha256(id);
    const entry = await this.kv.get<StoredSession>(`session/${hash}`);
    await this.kv.delete(`session/${hash}`);
    if (entry) await this.kv.delete(`${userPrefix(entry.value.username)}${hash}`);
  }

  /** Ends every session of `username` but the one with id `keep`; resolves with how many ended. */
  async endAllOf(username: string, keep?: string): Promise<number> {
    const prefix = userPrefix(username);
    const kept = keep === undefined ? undefined : sha256(keep);
    let ended = 0;
    for (const entry of await listAll<true>(this.kv, prefix)) {
      const hash = entry.key.slice(prefix.length);
      if (hash === kept) continue;
      await this.kv.delete(`session/${hash}`);
      await this.kv.delete(entry.key);
      ended++;
    }
    return ended;
  }
}
