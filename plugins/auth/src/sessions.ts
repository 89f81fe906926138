/**
 * Browser sessions: a random id in an HttpOnly cookie; the store keeps only its SHA-256, with
 * the session's lifetime as its TTL, so a leaked store does not leak live sessions.
 */
import { randomToken, sha256 } from "./digest.ts";
import type { AuthKv } from "./kv.ts";

interface StoredSession {
  readonly username: string;
  readonly expiresAt: number;
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
    const session: StoredSession = { username, expiresAt: Date.now() + this.ttl };
    await this.kv.set(`session/${sha256(id)}`, session, { ttl: this.ttl });
    return id;
  }

  /** The username of a live session, or undefined. */
  async find(id: string): Promise<string | undefined> {
    const entry = await this.kv.get<StoredSession>(`session/${sha256(id)}`);
    if (!entry || entry.value.expiresAt <= Date.now()) return undefined;
    return entry.value.username;
  }

  async end(id: string): Promise<void> {
    await this.kv.delete(`session/${sha256(id)}`);
  }
}
