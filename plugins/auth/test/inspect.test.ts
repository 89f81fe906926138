/**
 * The guard reads a request's credentials once (`Authenticator.inspect`): the kind it acts on and
 * the marks it leaves in `locals.credentials` for the router, for every combination of bearer and
 * cookie, and the app visibility it trusts from its cache.
 */
import { describe, expect, it } from "bun:test";
import { ApiKeyStore } from "../src/api-keys.ts";
import { AppVisibility } from "../src/app-visibility.ts";
import { Authenticator } from "../src/authenticator.ts";
import { jwtConfigSchema } from "../src/config.ts";
import { JwtVerifier } from "../src/jwt-verifier.ts";
import { MemoryKv } from "../src/kv.ts";
import { SessionStore } from "../src/sessions.ts";
import { UserStore } from "../src/users.ts";

const KERNEL_TOKEN = "kernel-admin-token-0123456789";

function authenticator(jwt: boolean): Authenticator {
  const kv = new MemoryKv();
  return new Authenticator({
    users: new UserStore(kv),
    sessions: new SessionStore(kv, 60_000),
    apiKeys: new ApiKeyStore(kv),
    jwt: jwt ? new JwtVerifier(jwtConfigSchema.parse({ secret: "s".repeat(32) })) : undefined,
    cookieName: "buntime_session",
    isKernelAdmin: (request) => request.headers.get("authorization") === `Bearer ${KERNEL_TOKEN}`,
  });
}

const BEARER = { headers: ["authorization"], cookies: [] };
const SESSION = { headers: [], cookies: ["buntime_session"] };
const BOTH = { headers: ["authorization"], cookies: ["buntime_session"] };

const cases: [string, Record<string, string>, boolean, string, object | undefined, boolean][] = [
  ["nothing", {}, false, "none", undefined, false],
  ["another site's cookie only", { cookie: "theme=dark" }, false, "none", undefined, false],
  ["the session cookie", { cookie: "theme=dark; buntime_session=abc" }, false, "session", SESSION, false],
  ["an API key", { authorization: "Bearer bak_123" }, false, "api-key", BEARER, false],
  [
    "an API key and the session cookie",
    { authorization: "Bearer bak_1", cookie: "buntime_session=a" },
    false,
    "api-key",
    BOTH,
    false,
  ],
  ["a JWT this kernel accepts", { authorization: "Bearer a.b.c" }, true, "jwt", BEARER, false],
  [
    "a JWT-shaped bearer without jwt settings",
    { authorization: "Bearer a.b.c" },
    false,
    "kernel-or-foreign",
    undefined,
    false,
  ],
  [
    "the kernel's token",
    { authorization: `Bearer ${KERNEL_TOKEN}` },
    false,
    "kernel-or-foreign",
    BEARER,
    true,
  ],
  [
    "an app's own bearer and the session cookie",
    { authorization: "Bearer theirs", cookie: "buntime_session=a" },
    false,
    "kernel-or-foreign",
    SESSION,
    false,
  ],
  ["an app's own scheme", { authorization: "Basic dXNlcjpwYXNz" }, false, "none", undefined, false],
];

describe("Authenticator.inspect", () => {
  it.each(cases)("reads %s", (_name, headers, jwt, kind, marks, kernelAdmin) => {
    const found = authenticator(jwt).inspect(new Request("http://x/app/", { headers }));
    expect(found.kind).toBe(kind as never);
    expect(found.marks).toEqual(marks as never);
    expect(found.kernelAdmin).toBe(kernelAdmin);
  });
});

describe("AppVisibility", () => {
  it("trusts a cached app's rules for ttl, then reads them through whichever router provides apps now", async () => {
    const logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => logger } as never;
    const asked: string[] = [];
    const router = (name: string, read: () => Promise<string[]>) =>
      ({
        folders: (app: string) => {
          asked.push(`${name}:${app}`);
          return read();
        },
      }) as never;
    let apps = router("first", async () => []); // no folder: open
    const visibility = new AppVisibility(50, logger, () => apps);
    expect((await visibility.access("shop")).visibility).toBe("public");
    // a replacing router whose folder of shop cannot be read: shop counts as protected once its entry expires
    apps = router("second", async () => {
      throw new Error("unreadable");
    });
    expect(visibility.access("shop")).toEqual(expect.objectContaining({ visibility: "public" }));
    expect(asked).toEqual(["first:shop"]);
    await Bun.sleep(60);
    const later = visibility.access("shop");
    expect(later).toBeInstanceOf(Promise);
    expect((await later).visibility).toBe("protected");
    expect(asked).toEqual(["first:shop", "second:shop"]);
  });
});
