/**
 * Users and their roles, stored in the key-value store under `user/<name>`. Passwords are
 * hashed with `Bun.password` (argon2id) through the hash gate, a few at a time; users who sign
 * in through OpenID Connect have none.
 */
import { BuntimeError, type RequestUser } from "@buntime/sdk";
import { hashPassword, verifyPassword } from "./hash-gate.ts";
import { type AuthKv, listAll } from "./kv.ts";

/** A user as the rest of Buntime sees it (`locals.user`, the `auth` service). */
export interface User extends RequestUser {
  /** How this request proved who it is. */
  readonly via?: "session" | "api-key" | "jwt" | "kernel-token";
}

/** A user as stored. */
export interface StoredUser {
  readonly username: string;
  readonly roles: string[];
  readonly passwordHash?: string;
  readonly createdAt: number;
}

const USERNAME = /^[\w.@+-]{1,128}$/;
// Compared against when the user does not exist, so that timing does not tell who exists.
const DUMMY_HASH = Bun.password.hash("buntime-no-such-user", { algorithm: "argon2id" });

function checkPassword(password: string): void {
  if (password.length < 8) {
    throw new BuntimeError("BUNTIME_ERR_AUTH_REQUEST_INVALID", {
      details: "password: expected at least 8 characters",
    });
  }
}

/** Reads and writes users. */
export class UserStore {
  constructor(private readonly kv: AuthKv) {}

  async get(username: string): Promise<StoredUser | undefined> {
    return (await this.kv.get<StoredUser>(`user/${username}`))?.value ?? undefined;
  }

  async list(): Promise<StoredUser[]> {
    return (await listAll<StoredUser>(this.kv, "user/")).map((entry) => entry.value);
  }

  /** Replaces the password of an existing user. */
  async setPassword(username: string, password: string): Promise<void> {
    const user = await this.get(username);
    if (!user) throw new BuntimeError("BUNTIME_ERR_AUTH_NOT_FOUND", { what: "user", id: username });
    checkPassword(password);
    await this.put({ ...user, passwordHash: await hashPassword(password) });
  }

  /** Creates a user; refuses a taken name. */
  async create(username: string, password: string | undefined, roles: string[]): Promise<StoredUser> {
    if (!USERNAME.test(username)) {
      throw new BuntimeError("BUNTIME_ERR_AUTH_REQUEST_INVALID", {
        details: "username: expected 1-128 letters, digits or . @ + - _",
      });
    }
    if (password !== undefined) checkPassword(password);
    const user: StoredUser = {
      username,
      roles,
      passwordHash: password === undefined ? undefined : await hashPassword(password),
      createdAt: Date.now(),
    };
    const written = await this.kv.set(`user/${username}`, user, { version: null });
    if (!written.ok) throw new BuntimeError("BUNTIME_ERR_AUTH_USER_EXISTS", { user: username });
    return user;
  }

  /** Writes a user whole (OpenID Connect sign-ins refresh their roles this way). */
  async put(user: StoredUser): Promise<void> {
    await this.kv.set(`user/${user.username}`, user);
  }

  async remove(username: string): Promise<boolean> {
    if (!(await this.get(username))) return false;
    await this.kv.delete(`user/${username}`);
    return true;
  }

  /** The user when the password is right, else undefined (in about the same time either way). */
  async verify(username: string, password: string): Promise<StoredUser | undefined> {
    const user = USERNAME.test(username) ? await this.get(username) : undefined;
    const ok = await verifyPassword(password, user?.passwordHash ?? (await DUMMY_HASH));
    return ok && user?.passwordHash ? user : undefined;
  }

  /** True when some user has the admin role. */
  async hasAdmin(): Promise<boolean> {
    return (await this.list()).some((user) => user.roles.includes("admin"));
  }
}

/** The public face of a stored user (no password hash). */
export function publicUser(user: StoredUser, via?: User["via"]): User {
  return via === undefined
    ? { username: user.username, roles: user.roles }
    : { username: user.username, roles: user.roles, via };
}
