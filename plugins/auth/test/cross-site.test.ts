import { afterEach, describe, expect, it } from "bun:test";
import { ADMIN_PASSWORD, errorOf, HASHING, json, signIn, startAuth, stopKernels } from "./support.ts";

afterEach(stopKernels);

/** The origin `kernel.fetch` addresses (test kernels answer on http://localhost). */
const HERE = "http://localhost";

function form(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  };
}

describe("sign-in and sign-out from another site", () => {
  const refused: [string, Record<string, string>, string][] = [
    ["an Origin of another site", { origin: "https://evil.example" }, "https://evil.example"],
    ["an Origin of another port", { origin: "http://localhost:9999" }, "http://localhost:9999"],
    ["Origin: null (sandboxed frame, data: URL)", { origin: "null" }, "null"],
    [
      "a Referer of another site, no Origin",
      { referer: "https://evil.example/page" },
      "https://evil.example",
    ],
    [
      "Sec-Fetch-Site: same-site (a sibling subdomain)",
      { "sec-fetch-site": "same-site" },
      "a same-site page",
    ],
  ];
  for (const [what, headers, origin] of refused) {
    it(
      `are refused with ${what}, and sign nobody in or out`,
      async () => {
        const { kernel } = await startAuth();
        const login = await kernel.fetch(
          "/auth/login",
          json("POST", { username: "admin", password: ADMIN_PASSWORD }, headers),
        );
        expect(await errorOf(login)).toEqual({
          code: "BUNTIME_ERR_CSRF_REJECTED",
          message: `cross-site POST to /auth/login refused (origin ${origin})`,
        });
        expect(login.headers.getSetCookie()).toEqual([]);
        const cookie = await signIn(kernel);
        const logout = await kernel.fetch("/auth/logout", json("POST", {}, { ...headers, cookie }));
        expect(logout.status).toBe(403);
        expect((await kernel.fetch("/auth/me", { headers: { cookie } })).status).toBe(200);
      },
      HASHING,
    );
  }

  it(
    "pass from this site, and from clients that are not browsers (no Origin, no Referer)",
    async () => {
      const { kernel } = await startAuth();
      const credentials = { username: "admin", password: ADMIN_PASSWORD };
      const sources: Record<string, string>[] = [{ origin: HERE }, { referer: `${HERE}/auth/login` }, {}];
      for (const headers of sources) {
        expect((await kernel.fetch("/auth/login", json("POST", credentials, headers))).status).toBe(200);
      }
      const page = await kernel.fetch(
        "/auth/login",
        form({ ...credentials, next: "/app/" }, { origin: HERE }),
      );
      expect(page.status).toBe(303);
      expect(page.headers.get("location")).toBe("/app/");
    },
    HASHING,
  );
});

describe("the post-sign-in redirect (next)", () => {
  const table: [string, string][] = [
    ["/app/page?x=1#top", "/app/page?x=1#top"],
    ["/a/../b", "/b"],
    ["", "/"],
    ["app", "/"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["\\\\evil.example", "/"],
    ["/\t/evil.example", "/"],
    ["/\n/evil.example", "/"],
    ["/\u0000/evil.example", "/"],
    ["/%2fevil.example", "/"],
    ["/%2F%2Fevil.example", "/"],
    ["/%5cevil.example", "/"],
    ["/.//evil.example", "/"],
    ["/./%2e/evil", "/evil"],
    ["javascript:alert(1)", "/"],
    ["https://evil.example/", "/"],
    ["http:/evil.example", "/"],
  ];
  it("is kept by the sign-in page only as a path on this site, every hostile spelling landing on /", async () => {
    const { kernel } = await startAuth();
    /** Where the page's form will send the user: its hidden `next` field, unescaped. */
    const kept = async (next: string) => {
      const page = await (await kernel.fetch(`/auth/login?next=${encodeURIComponent(next)}`)).text();
      const field = /name="next" value="([^"]*)"/.exec(page)?.[1];
      return field?.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
    };
    const landed: Record<string, string | undefined> = {};
    for (const [next] of table) landed[next] = await kept(next);
    expect(landed).toEqual(Object.fromEntries(table));
    expect(await (await kernel.fetch("/auth/login")).text()).toContain('name="next" value="/"');
  });

  it(
    "is what a form sign-in redirects to, and an unsafe one lands on /",
    async () => {
      const { kernel } = await startAuth();
      const credentials = { username: "admin", password: ADMIN_PASSWORD };
      const to = async (next: string) =>
        (await kernel.fetch("/auth/login", form({ ...credentials, next }))).headers.get("location");
      expect(await to("/notes/?id=1")).toBe("/notes/?id=1");
      expect(await to("/\t/evil.example")).toBe("/");
      expect(await to("/%2f%2fevil.example")).toBe("/");
    },
    HASHING,
  );
});

describe("changing a password", () => {
  it(
    "ends the user's other sessions and keeps the one that changed it",
    async () => {
      const { kernel } = await startAuth();
      const here = await signIn(kernel);
      const elsewhere = await signIn(kernel);
      const me = async (cookie: string) => (await kernel.fetch("/auth/me", { headers: { cookie } })).status;
      const changed = await kernel.fetch(
        "/auth/api/password",
        json("POST", { current: ADMIN_PASSWORD, password: "a new passphrase" }, { cookie: here }),
      );
      expect(changed.status).toBe(204);
      expect(await me(here)).toBe(200);
      expect(await me(elsewhere)).toBe(401);
    },
    HASHING,
  );

  it(
    "by an admin's reset ends every session of that user",
    async () => {
      const { kernel } = await startAuth();
      const admin = await signIn(kernel);
      const created = await kernel.fetch(
        "/auth/api/users",
        json("POST", { username: "bob", password: "bobs password" }, { cookie: admin }),
      );
      expect(created.status).toBe(201);
      const bob = await signIn(kernel, "bob", "bobs password");
      const reset = await kernel.fetch(
        "/auth/api/users/bob/password",
        json("PUT", { password: "bobs new password" }, { cookie: admin }),
      );
      expect(reset.status).toBe(204);
      expect((await kernel.fetch("/auth/me", { headers: { cookie: bob } })).status).toBe(401);
      expect((await kernel.fetch("/auth/me", { headers: { cookie: admin } })).status).toBe(200);
    },
    HASHING,
  );
});
