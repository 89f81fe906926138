import { afterEach, describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestKernel } from "@buntime/kernel/testing";
import { HASHING, json, pluginFolder, signIn, startAuth, stopKernels } from "./support.ts";

afterEach(stopKernels);

/** An app that answers with the credentials and identity it received. */
const SEEN_SOURCE = `const seen = (headers) => ({
  authorization: headers.get("authorization"),
  cookie: headers.get("cookie"),
  appToken: headers.get("x-buntime-app-token"),
  user: headers.get("x-buntime-user"),
});
export default {
  fetch: (req) => Response.json(seen(req.headers)),
  websocket: { open(ws) { ws.send(JSON.stringify(seen(new Headers(ws.data.headers)))); } },
};`;

async function startWithApp(listen = false) {
  const started = await startAuth({ plugins: [pluginFolder("router")], listen });
  const dir = join(started.kernel.home, "apps", "seen");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.ts"), SEEN_SOURCE);
  return started;
}

async function seen(kernel: TestKernel, headers: Record<string, string>) {
  const response = await kernel.fetch("/seen/", { headers });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, string | null>;
}

describe("credentials on the way to an app", () => {
  it(
    "drop the session cookie, keep the app's own cookies, and send the verified user instead",
    async () => {
      const { kernel } = await startWithApp();
      const session = await signIn(kernel);
      expect(await seen(kernel, { cookie: `theme=dark; ${session}; cart=3` })).toEqual({
        authorization: null,
        cookie: "theme=dark; cart=3",
        appToken: null,
        user: "admin",
      });
      // only the session cookie: the app gets no cookie header at all
      expect((await seen(kernel, { cookie: session })).cookie).toBeNull();
    },
    HASHING,
  );

  it(
    "drop API keys and the kernel's admin token, and keep a bearer of the app's own scheme",
    async () => {
      const { kernel, adminToken } = await startWithApp();
      const session = await signIn(kernel);
      const created = await kernel.fetch("/auth/api/keys", json("POST", { name: "ci" }, { cookie: session }));
      const { key } = (await created.json()) as { key: string };
      expect(await seen(kernel, { authorization: `Bearer ${key}` })).toMatchObject({
        authorization: null,
        user: "admin",
      });
      expect(await seen(kernel, { authorization: `Bearer ${adminToken}` })).toMatchObject({
        authorization: null,
        user: "kernel-admin",
      });
      expect(await seen(kernel, { authorization: "Bearer the-apps-own-token" })).toMatchObject({
        authorization: "Bearer the-apps-own-token",
        user: null,
      });
    },
    HASHING,
  );

  it(
    "drop a client's own identity headers and a stray app token",
    async () => {
      const { kernel } = await startWithApp();
      expect(
        await seen(kernel, {
          "x-buntime-user": "admin",
          "x-buntime-app-token": "seen.forged",
          cookie: "a=1",
        }),
      ).toEqual({ authorization: null, cookie: "a=1", appToken: null, user: null });
    },
    HASHING,
  );

  it(
    "are dropped on a WebSocket upgrade too: the socket's app sees the user, not the cookie",
    async () => {
      const { kernel } = await startWithApp(true);
      const session = await signIn(kernel);
      const url = new URL("/seen/", (kernel.url as URL).href.replace("http", "ws"));
      const socket = new WebSocket(url, { headers: { cookie: `theme=dark; ${session}` } } as never);
      const first = new Promise<string>((resolve, reject) => {
        socket.addEventListener("message", (event) => resolve(String(event.data)));
        socket.addEventListener("error", () => reject(new Error("socket failed")));
        setTimeout(() => reject(new Error("no message within 10 s")), 10_000);
      });
      expect(JSON.parse(await first)).toEqual({
        authorization: null,
        cookie: "theme=dark",
        appToken: null,
        user: "admin",
      });
      socket.close();
    },
    HASHING,
  );
});
