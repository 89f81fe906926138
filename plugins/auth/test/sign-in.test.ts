import { afterEach, describe, expect, it } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { cookieOf, errorOf, HASHING, json, signIn, startAuth, stopKernels } from "./support.ts";

afterEach(stopKernels);

function form(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  };
}

describe("signing in", () => {
  it(
    "serves a login form that posts to /auth/login and keeps next",
    async () => {
      const { kernel } = await startAuth();
      const response = await kernel.fetch("/auth/login?next=/crm/");
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain('action="/auth/login?next=%2Fcrm%2F"');
      expect(html).toContain('name="next" value="/crm/"');
      expect(html).not.toContain("single sign-on");
    },
    HASHING,
  );

  it(
    "shows the form again after a wrong password, still going where the user was going",
    async () => {
      const { kernel } = await startAuth();
      const refused = await kernel.fetch("/auth/login?next=%2Fcrm%2F", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "username=admin&password=wrong-password&next=%2Fcrm%2F",
      });
      expect(refused.status).toBe(401);
      const html = await refused.text();
      expect(html).toContain("wrong username or password");
      expect(html).toContain('name="next" value="/crm/"');
    },
    HASHING,
  );

  it(
    "signs in through the JSON endpoint and knows the user afterwards",
    async () => {
      const { kernel } = await startAuth();
      const cookie = await signIn(kernel);
      const me = await kernel.fetch("/auth/me", { headers: { cookie } });
      expect(await me.json()).toEqual({ user: { username: "admin", roles: ["admin"], via: "session" } });
    },
    HASHING,
  );

  it(
    "refuses a wrong password and an unknown user with the same coded 401",
    async () => {
      const { kernel } = await startAuth();
      for (const body of [
        { username: "admin", password: "wrong password" },
        { username: "nobody", password: "whatever" },
      ]) {
        const response = await kernel.fetch("/auth/login", json("POST", body));
        expect(response.status).toBe(401);
        expect(await errorOf(response)).toEqual({
          code: "BUNTIME_ERR_AUTH_BAD_CREDENTIALS",
          message: "wrong username or password",
        });
      }
    },
    HASHING,
  );

  it(
    "redirects a form sign-in to next, and never off the site",
    async () => {
      const { kernel } = await startAuth();
      const fields = { username: "admin", password: "correct horse battery" };
      const local = await kernel.fetch("/auth/login", form({ ...fields, next: "/crm/deals" }));
      expect(local.status).toBe(303);
      expect(local.headers.get("location")).toBe("/crm/deals");
      const offsite = await kernel.fetch("/auth/login", form({ ...fields, next: "//evil.example/" }));
      expect(offsite.headers.get("location")).toBe("/");
    },
    HASHING,
  );

  it(
    "shows the form again with the reason when a form sign-in fails",
    async () => {
      const { kernel } = await startAuth();
      const response = await kernel.fetch("/auth/login", form({ username: "admin", password: "nope" }));
      expect(response.status).toBe(401);
      expect(await response.text()).toContain("wrong username or password");
    },
    HASHING,
  );

  it(
    "refuses a body without a username",
    async () => {
      const { kernel } = await startAuth();
      const response = await kernel.fetch("/auth/login", json("POST", { password: "x" }));
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe("BUNTIME_ERR_AUTH_REQUEST_INVALID");
      expect(error.message).toContain("username");
    },
    HASHING,
  );

  it(
    "limits failed attempts, refusing even the right password past the limit",
    async () => {
      const { kernel } = await startAuth({ config: { loginAttempts: 3, loginWindow: "1m" } });
      for (let attempt = 0; attempt < 3; attempt++) {
        const response = await kernel.fetch(
          "/auth/login",
          json("POST", { username: "admin", password: "bad guess" }),
        );
        expect(response.status).toBe(401);
      }
      const blocked = await kernel.fetch(
        "/auth/login",
        json("POST", { username: "admin", password: "correct horse battery" }),
      );
      expect(blocked.status).toBe(429);
      const error = await errorOf(blocked);
      expect(error.code).toBe("BUNTIME_ERR_AUTH_RATE_LIMITED");
      expect(error.message).toMatch(/^too many failed sign-ins for address unknown; retry in \d+ s$/);
    },
    HASHING,
  );

  it(
    "refuses a cross-site sign-in or sign-out from a browser",
    async () => {
      const { kernel } = await startAuth();
      const headers = { "sec-fetch-site": "cross-site", origin: "https://evil.example" };
      const response = await kernel.fetch(
        "/auth/login",
        form({ username: "admin", password: "correct horse battery" }, headers),
      );
      expect(response.status).toBe(403); // a form gets the page again, with the reason
      expect(await response.text()).toContain(
        "cross-site POST to /auth/login refused (origin https://evil.example)",
      );
      expect(response.headers.getSetCookie()).toEqual([]);
      const logout = await kernel.fetch("/auth/logout", json("POST", {}, headers));
      expect(await errorOf(logout)).toEqual({
        code: "BUNTIME_ERR_CSRF_REJECTED",
        message: "cross-site POST to /auth/logout refused (origin https://evil.example)",
      });
    },
    HASHING,
  );

  it(
    "ends the session on sign-out",
    async () => {
      const { kernel } = await startAuth();
      const cookie = await signIn(kernel);
      const out = await kernel.fetch("/auth/logout", json("POST", {}, { cookie }));
      expect(out.status).toBe(200);
      expect(out.headers.getSetCookie()[0]).toContain("Max-Age=0");
      const me = await kernel.fetch("/auth/me", { headers: { cookie } });
      expect(me.status).toBe(401);
    },
    HASHING,
  );

  it(
    "answers unknown paths under /auth with a coded 404",
    async () => {
      const { kernel } = await startAuth();
      const response = await kernel.fetch("/auth/nothing-here");
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe("BUNTIME_ERR_NOT_FOUND");
    },
    HASHING,
  );
});

describe("the first admin", () => {
  it(
    "comes from BUNTIME_ADMIN_PASSWORD",
    async () => {
      const { kernel } = await startAuth({ adminPassword: "from the environment" });
      await signIn(kernel, "admin", "from the environment");
      expect(
        kernel.logs.some((entry) => entry.message === "created user admin from BUNTIME_ADMIN_PASSWORD"),
      ).toBe(true);
    },
    HASHING,
  );

  it(
    "is created once with the setup token, kept in a private file and out of the logs, when no password is set",
    async () => {
      const { kernel } = await startAuth({ adminPassword: null });
      const line = kernel.logs.find((entry) => entry.message.startsWith("no admin user yet"));
      expect(line?.level).toBe("warn");
      const tokenFile = join(kernel.home, "data", "@buntime", "plugin-auth", "setup-token");
      expect(line?.message).toContain(tokenFile);
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      const token = readFileSync(tokenFile, "utf8").trim();
      expect(token.length).toBeGreaterThan(20);
      // the token never reaches the log feed, which other plugins may serve over HTTP
      expect(kernel.logs.some((entry) => JSON.stringify(entry).includes(token))).toBe(false);
      // nobody can sign in with a default password
      const guessed = await kernel.fetch(
        "/auth/login",
        json("POST", { username: "admin", password: "admin" }),
      );
      expect(guessed.status).toBe(401);

      const wrong = await kernel.fetch(
        "/auth/setup",
        json("POST", { token: "nope", username: "ada", password: "adas password" }),
      );
      expect(wrong.status).toBe(403);
      expect(await errorOf(wrong)).toEqual({
        code: "BUNTIME_ERR_AUTH_SETUP_REFUSED",
        message: "setup refused: wrong setup token",
      });

      const done = await kernel.fetch(
        "/auth/setup",
        json("POST", { token, username: "ada", password: "adas password" }),
      );
      expect(done.status).toBe(201);
      expect(existsSync(tokenFile)).toBe(false);
      const me = await kernel.fetch("/auth/me", { headers: { cookie: cookieOf(done) } });
      expect((await me.json()).user).toEqual({ username: "ada", roles: ["admin"], via: "session" });

      const again = await kernel.fetch(
        "/auth/setup",
        json("POST", { token, username: "eve", password: "eves password" }),
      );
      expect(await errorOf(again)).toEqual({
        code: "BUNTIME_ERR_AUTH_SETUP_REFUSED",
        message: "setup refused: an admin already exists",
      });
    },
    HASHING,
  );
});

describe("the users API", () => {
  it(
    "lets admins create, list, re-role and delete users, and no one else",
    async () => {
      const { kernel } = await startAuth();
      const admin = await signIn(kernel);
      const create = (body: unknown, cookie = admin) =>
        kernel.fetch("/auth/api/users", json("POST", body, { cookie }));
      expect((await create({ username: "bob", password: "bobs password" })).status).toBe(201);
      const duplicate = await create({ username: "bob", password: "another one" });
      expect(duplicate.status).toBe(409);
      expect(await errorOf(duplicate)).toEqual({
        code: "BUNTIME_ERR_AUTH_USER_EXISTS",
        message: "user bob already exists",
      });
      const short = await create({ username: "carol", password: "short" });
      expect(short.status).toBe(400);

      const bob = await signIn(kernel, "bob", "bobs password");
      const refused = await kernel.fetch("/auth/api/users", { headers: { cookie: bob } });
      expect(refused.status).toBe(403);
      expect((await errorOf(refused)).message).toBe("bob may not GET /auth/api/users (needs role admin)");

      const roles = await kernel.fetch(
        "/auth/api/users/bob/roles",
        json("PUT", { roles: ["editor"] }, { cookie: admin }),
      );
      expect(await roles.json()).toEqual({ user: { username: "bob", roles: ["editor"] } });
      const list = await kernel.fetch("/auth/api/users", { headers: { cookie: admin } });
      expect((await list.json()).users).toEqual([
        { username: "admin", roles: ["admin"] },
        { username: "bob", roles: ["editor"] },
      ]);
      expect(
        (await kernel.fetch("/auth/api/users/bob", { method: "DELETE", headers: { cookie: admin } })).status,
      ).toBe(204);
      const gone = await kernel.fetch("/auth/api/users/bob", {
        method: "DELETE",
        headers: { cookie: admin },
      });
      expect(await errorOf(gone)).toEqual({ code: "BUNTIME_ERR_AUTH_NOT_FOUND", message: "no user bob" });
      // a deleted user's session no longer works
      expect((await kernel.fetch("/auth/me", { headers: { cookie: bob } })).status).toBe(401);
    },
    HASHING,
  );
});

describe("passwords", () => {
  it(
    "are changed by their owner with the current one, and reset by an admin",
    async () => {
      const { kernel } = await startAuth();
      const admin = await signIn(kernel);
      const change = (body: unknown, cookie = admin) =>
        kernel.fetch("/auth/api/password", json("POST", body, { cookie }));
      const wrong = await change({ current: "not it", password: "a new passphrase" });
      expect(await errorOf(wrong)).toEqual({
        code: "BUNTIME_ERR_AUTH_BAD_CREDENTIALS",
        message: "wrong username or password",
      });
      const short = await change({ current: "correct horse battery", password: "short" });
      expect(short.status).toBe(400);
      expect((await change({ current: "correct horse battery", password: "a new passphrase" })).status).toBe(
        204,
      );
      await expect(signIn(kernel)).rejects.toThrow(/401/);
      await signIn(kernel, "admin", "a new passphrase");

      await kernel.fetch(
        "/auth/api/users",
        json("POST", { username: "bob", password: "bobs password" }, { cookie: admin }),
      );
      const reset = await kernel.fetch(
        "/auth/api/users/bob/password",
        json("PUT", { password: "bobs new password" }, { cookie: admin }),
      );
      expect(reset.status).toBe(204);
      await signIn(kernel, "bob", "bobs new password");
      const missing = await kernel.fetch(
        "/auth/api/users/nobody/password",
        json("PUT", { password: "whatever it is" }, { cookie: admin }),
      );
      expect(await errorOf(missing)).toEqual({
        code: "BUNTIME_ERR_AUTH_NOT_FOUND",
        message: "no user nobody",
      });
    },
    HASHING,
  );
});
