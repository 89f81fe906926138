/**
 * The first admin. With no admin stored yet, `BUNTIME_ADMIN_PASSWORD` creates user `admin`;
 * without it a one-time setup token goes to the terminal and to a file only its owner may read,
 * and the first-admin page (`/auth/setup`, or a JSON POST there) trades it for an admin account.
 * There is never a default password, and never a setup without the token, not even from
 * loopback: behind a reverse proxy or a container's port mapping every client looks local.
 */
import { rmSync, writeFileSync } from "node:fs";
import { BuntimeError, isBuntimeError, type Logger } from "@buntime/sdk";
import { randomToken, sha256 } from "./digest.ts";
import type { StoredUser, UserStore } from "./users.ts";

/** The pending setup, if the first run needs one. */
export class FirstRun {
  private tokenDigest: string | undefined;

  constructor(
    private readonly users: UserStore,
    private readonly logger: Logger,
  ) {}

  /**
   * Makes sure an admin exists or can be created; `password` is `BUNTIME_ADMIN_PASSWORD`, and
   * `tokenFile` is where the setup token is written (mode 0600) when there is none.
   */
  async ensureAdmin(password: string | undefined, setupUrl: string, tokenFile: string): Promise<void> {
    if (await this.users.hasAdmin()) return;
    if (password) {
      try {
        await this.users.create("admin", password, ["admin"]);
        this.logger.info("created user admin from BUNTIME_ADMIN_PASSWORD");
      } catch (error) {
        // another kernel on the same store created it first: nothing left to do
        if (!isBuntimeError(error, "BUNTIME_ERR_AUTH_USER_EXISTS")) throw error;
      }
      return;
    }
    const token = randomToken(24);
    this.tokenDigest = sha256(token);
    this.tokenFile = tokenFile;
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    // The token itself stays out of the logger: log lines reach the kernel:logs feed, which a
    // plugin such as logs may serve over HTTP before anyone could protect it.
    process.stderr.write(`buntime auth: one-time setup token ${token}\n`);
    this.logger.warn(
      `no admin user yet: open ${setupUrl} in a browser (or POST it {"token":...,"username":...,"password":...})` +
        ` with the setup token printed above and kept in ${tokenFile}` +
        " (it works once; set BUNTIME_ADMIN_PASSWORD to create user admin instead)",
    );
  }

  /** Once the kernel listens at `url`, says where the first-admin page is, while it is still needed. */
  announcePage(url: URL, setupPath: string): void {
    if (!this.pending) return;
    this.logger.warn(`no admin user yet: create it at ${new URL(setupPath, url).href}`);
  }

  private tokenFile: string | undefined;

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
    // Another kernel on the same store may have created one since this kernel started.
    if (await this.users.hasAdmin()) {
      this.tokenDigest = undefined;
      throw new BuntimeError("BUNTIME_ERR_AUTH_SETUP_REFUSED", { reason: "an admin already exists" });
    }
    const user = await this.users.create(username, password, ["admin"]);
    this.tokenDigest = undefined;
    if (this.tokenFile) rmSync(this.tokenFile, { force: true });
    return user;
  }
}
