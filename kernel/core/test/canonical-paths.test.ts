/**
 * One path, one decision: every encoding of a protected path reaches the same decision in the
 * real auth, router, ratelimit and proxy plugins, over a real connection (raw request lines, so
 * no client tidies the path first).
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "../src/testing/index.ts";

const PLUGINS = join(import.meta.dir, "..", "..", "..", "plugins");

let kernel: TestKernel;
let port: number;

beforeAll(async () => {
  process.env.BUNTIME_ADMIN_PASSWORD = "correct horse battery";
  kernel = await createTestKernel({
    listen: true,
    plugins: ["auth", "router", "ratelimit", "proxy"].map((name) => join(PLUGINS, name)),
    config: {
      plugins: {
        "@buntime/plugin-auth": { protectedPaths: ["/_/api/plugins"] },
        "@buntime/plugin-ratelimit": {
          rules: [{ name: "once", path: "/counted/*", key: "ip", limit: 1, window: "1m" }],
        },
      },
    },
  });
  port = Number((kernel.url as URL).port);
  for (const [app, config] of [
    ["notes", { visibility: "protected" }],
    ["counted", undefined],
  ] as const) {
    mkdirSync(join(kernel.home, "apps", app), { recursive: true });
    writeFileSync(
      join(kernel.home, "apps", app, "index.ts"),
      `export default { fetch: (req) => new Response(${JSON.stringify(app)} + " " + new URL(req.url).pathname) };`,
    );
    if (config) writeFileSync(join(kernel.home, "apps", app, "buntime.json"), JSON.stringify(config));
  }
}, 30_000);

afterAll(async () => {
  await kernel?.stop();
  delete process.env.BUNTIME_ADMIN_PASSWORD;
});

/** Sends `GET <path>` exactly as written and resolves with the status, the head and the body. */
function rawGet(path: string, headers = ""): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n${headers}\r\n`);
    });
    let text = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk) => {
      text += chunk;
    });
    socket.on("error", reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to GET ${path} in 10 s`)));
    socket.on("close", () => {
      const status = Number(text.slice(9, 12));
      const end = text.indexOf("\r\n\r\n");
      resolve({ status, head: text.slice(0, end), body: text.slice(end + 4) });
    });
  });
}

/** The error code of a JSON error body (chunked or not), or the body itself. */
function codeOf(body: string): string {
  return /"code":"([A-Z_]+)"/.exec(body)?.[1] ?? body;
}

describe("every encoding of a protected path reaches the same decision", () => {
  it.each([
    "/notes/",
    "/notes",
    "/%6eotes/",
    "/%6Eotes/x",
    "/./notes/",
    "//notes/",
    "/x/../notes/",
    "/x/%2e%2e/notes/",
    "/x/%2E%2E/notes",
    "/notes//",
  ])("the protected app at %s needs a user", async (path) => {
    const answer = await rawGet(path, "accept: application/json\r\n");
    expect([answer.status, codeOf(answer.body)]).toEqual([401, "BUNTIME_ERR_AUTH_REQUIRED"]);
  });

  it.each([
    "/_/api/plugins",
    "/_/%61pi/plugins",
    "//_/api/plugins",
    "/_/api/x/../plugins",
    "/_/api/%2e/plugins",
  ])("the kernel API at %s needs a user", async (path) => {
    const answer = await rawGet(path);
    expect([answer.status, codeOf(answer.body)]).toEqual([401, "BUNTIME_ERR_AUTH_REQUIRED"]);
  });

  it.each(["/proxy/api/rules", "/proxy/%61pi/rules", "/proxy//api/rules", "/x/../proxy/api/rules"])(
    "the proxy's rules API at %s needs a user",
    async (path) => {
      const answer = await rawGet(path);
      expect([answer.status, codeOf(answer.body)]).toEqual([401, "BUNTIME_ERR_AUTH_REQUIRED"]);
    },
  );

  it.each(["/notes%00", "/notes%zz", "/notes%", "/notes/a%00b"])(
    "%s has no canonical form and is refused before any plugin",
    async (path) => {
      const answer = await rawGet(path);
      expect([answer.status, codeOf(answer.body)]).toEqual([400, "BUNTIME_ERR_PATH_INVALID"]);
    },
  );

  it.each(["/notes%2f", "/notes%2F", "/x%2f..%2fnotes/", "/notes%2fsecret", "/notes%5c"])(
    "an encoded slash stays inside its segment: %s is no app for auth and router alike",
    async (path) => {
      const answer = await rawGet(path, "accept: application/json\r\n");
      expect([answer.status, codeOf(answer.body)]).toEqual([404, "BUNTIME_ERR_NOT_FOUND"]);
    },
  );

  it("a trailing / makes another path, routed apart: /_/api/plugins/ is no kernel API route", async () => {
    const answer = await rawGet("/_/api/plugins/");
    expect([answer.status, codeOf(answer.body)]).toEqual([404, "BUNTIME_ERR_NOT_FOUND"]);
  });

  it("a browser sent to sign in comes back to the canonical path", async () => {
    const answer = await rawGet("//x/../%6eotes/a?tab=1", "accept: text/html\r\n");
    expect(answer.status).toBe(302);
    const location = /\r\nlocation: ([^\r]*)/i.exec(answer.head)?.[1];
    expect(location).toBe(`/auth/login?next=${encodeURIComponent("/notes/a?tab=1")}`);
  });

  it("auth's own routes answer every encoding of their path as the plain one", async () => {
    const plain = await rawGet("/auth/login");
    expect(plain.status).toBe(200);
    for (const path of ["//auth/login", "/auth/%6cogin", "/x/../auth//login"]) {
      expect([path, (await rawGet(path)).status]).toEqual([path, 200]);
    }
  });

  it("paths are case-sensitive: /NOTES/ is not the app notes", async () => {
    expect((await rawGet("/NOTES/")).status).toBe(404);
  });

  it("a rate limit counts every encoding of its path as one path", async () => {
    expect((await rawGet("/counted/")).status).toBe(200);
    for (const path of ["/counted/", "/%63ounted/", "//counted/", "/x/../counted/", "/counted"]) {
      expect([path, (await rawGet(path)).status]).toEqual([path, 429]);
    }
  });

  it("double encoding is decoded once: /%256eotes/ is not the app notes", async () => {
    expect((await rawGet("/%256eotes/")).status).toBe(404);
  });
});
