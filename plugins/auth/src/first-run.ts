/**
 * The first admin. With no admin stored yet, `BUNTIME_ADMIN_PASSWORD` creates user `admin`;
 * without it a one-time setup token is logged, which `POST /auth/setup` trades for an admin
 * account. There is never a default password.
 */
import { BuntimeError, type Logger } from "@buntime/sdk";
import { randomToken, sha256 } from "./digest.ts";
import type { StoredUser, UserStore } from "./users.ts";

/** The pending setup, if the first run needs one. */
export class FirstRun {
  private tokenDigest: string | undefined;

  constructor(
    private readonly users: UserStore,
    private readonly logger: Logger,
  ) {}

  /** Makes sure an admin exists or can be created; `password` is `BUNTIME_ADMIN_PASSWORD`. */
  async ensureAdmin(password: string | undefined, setupUrl: string): Promise<void> {
    if (await this.users.hasAdmin()) return;
    if (password) {
      await this.users.create("admin", password, ["admin"]);
      this.logger.info("created user admin from BUNTIME_ADMIN_PASSWORD");
      return;
    }
    const token = randomToken(24);
    this.tokenDigest = sha256(token);
    this.logger.warn(
      `no admin user yet: create one with POST ${setupUrl} {"token":"${token}","username":...,"password":...}` +
        " (the token works once; set BUNTIME_ADMIN_PASSWORD to create user admin instead)",
    );
  }

  /** True while an admin may still be created with the setup token. */
  get pending(): boolean {
    return this.tokenDigest !== undefined;
  }

  /** Creates the first admin when `token` is the setup token; the token then stops working. */
  async complete(token: string, username: string, password: string): Promise<StoredUser> {
    if (this.tokenDigest === undefined) {
      throw new BuntimeError("BUNTIME_ERR_AUTH_SETUP_REFUSED", { reason: "an admin already exists" });
    }
    if (sha256(token) !== this.tokenDigest) {
      throw new BuntimeError("BUNTIME_ERR_AUTH_SETUP_REFUSED", { reason: "wrong setup token" });
    }
    const user = await this.users.create(username, password, ["admin"]);
    this.tokenDigest = undefined;
    return user;
  }
}
