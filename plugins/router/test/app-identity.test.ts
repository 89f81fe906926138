import { afterEach, describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel, type InlinePlugin, type Kernel } from "@buntime/kernel";
import router from "@buntime/plugin-router";
import { definePlugin } from "@buntime/sdk";
import routerPackage from "../package.json" with { type: "json" };

let kernel: Kernel | undefined;
let home: string | undefined;
afterEach(async () => {
  await kernel?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** A plugin at /whoami answering which app called it, through the router's `apps` service. */
const whoami = {
  packageJson: {
    name: "whoami",
    version: "1.0.0",
    buntime: { kernel: "*", base: "/whoami", consumes: ["apps"] },
  },
  plugin: definePlugin({
    setup(ctx) {
      return {
        fetch: (req) => {
          const callee = new URL(req.url).searchParams.get("callee") ?? undefined;
          return new Response(ctx.services.get("apps").identify(req, callee) ?? "anonymous");
        },
      };
    },
  }),
};

/**
 * A listening kernel with the router (and `plugins`) on a fresh home holding one app whose
 * `index.ts` is `source` (and `buntime.json` is `config`); resolves with the kernel's URL.
 */
async function listeningWithApp(
  app: string,
  source: string,
  plugins: InlinePlugin[] = [],
  config?: object,
): Promise<URL> {
  home = mkdtempSync(join(tmpdir(), "buntime-router-live-"));
  mkdirSync(join(home, "apps", app), { recursive: true });
  writeFileSync(join(home, "apps", app, "index.ts"), source);
  if (config) writeFileSync(join(home, "apps", app, "buntime.json"), JSON.stringify(config));
  kernel = createKernel({
    config: { home, port: 0, hostname: "127.0.0.1" },
    plugins: [{ packageJson: routerPackage, plugin: router }, ...plugins],
    logSink: () => {},
  });
  await kernel.start();
  return kernel.listen();
}

describe("app identity", () => {
  it("lets an app call the kernel as itself, and nobody else pass for it", async () => {
    const url = await listeningWithApp(
      "notes",
      `export default { fetch: async (req) => {
        const env = process.env;
        const forged = new URL(req.url).searchParams.has("forged");
        const token = forged ? "notes.AAAA" : env.BUNTIME_APP_TOKEN;
        const res = await fetch(env.BUNTIME_URL + "/whoami", { headers: { authorization: "Bearer " + token } });
        return new Response(env.BUNTIME_APP + " is " + (await res.text()));
      } };`,
      [whoami],
    );
    expect(await (await fetch(new URL("/notes/", url))).text()).toBe("notes is notes");
    expect(await (await fetch(new URL("/notes/?forged", url))).text()).toBe("notes is anonymous");
    expect(await (await fetch(new URL("/whoami", url))).text()).toBe("anonymous");
    const stolen = await fetch(new URL("/whoami", url), { headers: { "x-buntime-app-token": "other.xyz" } });
    expect(await stolen.text()).toBe("anonymous");
  });
});

/** Where `mintAppToken` lives, for apps written by these tests (their folders have no node_modules). */
const APP_TOKEN_MODULE = JSON.stringify(
  join(import.meta.dir, "..", "..", "..", "sdk", "contract", "src", "app-token.ts"),
);

describe("app-to-app tokens", () => {
  /** Asks /whoami?callee=<callee> with a token the app mints for `for`, `age` ms ago. */
  const MINTER = `import { mintAppToken } from ${APP_TOKEN_MODULE};
    export default { fetch: async (req) => {
      const query = new URL(req.url).searchParams;
      const token = mintAppToken(process.env.BUNTIME_APP_TOKEN, query.get("for"), 60, Date.now() - Number(query.get("age") ?? 0));
      const res = await fetch(process.env.BUNTIME_URL + "/whoami?callee=" + query.get("callee"), {
        headers: { authorization: "Bearer " + token },
      });
      return new Response(await res.text());
    } };`;

  it("are accepted only by the callee they name, and only before they expire", async () => {
    const url = await listeningWithApp("shop", MINTER, [whoami]);
    const ask = async (query: string) => (await fetch(new URL(`/shop/?${query}`, url))).text();
    expect(await ask("for=billing&callee=billing")).toBe("shop");
    // billing received it: replayed to crm it proves nothing
    expect(await ask("for=billing&callee=crm")).toBe("anonymous");
    // a minute old: expired
    expect(await ask("for=billing&callee=billing&age=61000")).toBe("anonymous");
    expect(await ask("for=billing&callee=billing&age=30000")).toBe("shop");
  });

  it("reach the app they name without the token itself", async () => {
    const url = await listeningWithApp(
      "shop",
      `import { mintAppToken } from ${APP_TOKEN_MODULE};
      export default { fetch: async () => {
        const token = mintAppToken(process.env.BUNTIME_APP_TOKEN, "billing");
        const res = await fetch(process.env.BUNTIME_URL + "/billing/", { headers: { authorization: "Bearer " + token } });
        return new Response(await res.text());
      } };`,
    );
    mkdirSync(join(home as string, "apps", "billing"));
    writeFileSync(
      join(home as string, "apps", "billing", "index.ts"),
      `export default { fetch: (req) => new Response("billing saw " + req.headers.get("authorization")) };`,
    );
    expect(await (await fetch(new URL("/shop/", url))).text()).toBe("billing saw null");
  });

  it("are never seen by the app called: app tokens and the kernel's admin token are dropped", async () => {
    const url = await listeningWithApp(
      "billing",
      `export default { fetch: (req) => Response.json([req.headers.get("authorization"), req.headers.get("x-buntime-app-token")]) };`,
    );
    const adminToken = readFileSync(join(home as string, "admin-token"), "utf8").trim();
    const sees = async (headers: Record<string, string>) =>
      (await fetch(new URL("/billing/", url), { headers })).json();
    expect(await sees({ authorization: `Bearer ${adminToken}` })).toEqual([null, null]);
    expect(await sees({ "x-buntime-app-token": "billing.anything" })).toEqual([null, null]);
    expect(await sees({ authorization: "Bearer its-own-scheme" })).toEqual(["Bearer its-own-scheme", null]);
  });
});

describe("forwarding headers over a real connection", () => {
  const echoForwardedFor = `export default { fetch: (req) => new Response(req.headers.get("x-forwarded-for") ?? "none") };`;

  it("x-forwarded-for starts with the real client address for an app that asks, whatever the caller sent", async () => {
    const url = await listeningWithApp("who", echoForwardedFor, [], { clientAddress: true });
    expect(await (await fetch(new URL("/who/", url))).text()).toBe("127.0.0.1");
    const behindProxy = await fetch(new URL("/who/", url), { headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(await behindProxy.text()).toBe("127.0.0.1");
  });

  it("gives an app that did not ask no x-forwarded-for, not even the caller's own", async () => {
    const url = await listeningWithApp("who", echoForwardedFor);
    expect(await (await fetch(new URL("/who/", url))).text()).toBe("none");
    const spoofed = await fetch(new URL("/who/", url), { headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(await spoofed.text()).toBe("none");
  });
});

describe("WebSockets", () => {
  it("upgrades /:app/ to a socket served by the app's persistent worker", async () => {
    const url = await listeningWithApp(
      "chat",
      `export default {
        fetch: () => new Response("plain http"),
        websocket: { message(ws, message) { ws.send("echo: " + message); } },
      };`,
    );
    expect(await (await fetch(new URL("/chat/", url))).text()).toBe("plain http");
    const socket = new WebSocket(new URL("/chat/", url.href.replace("http", "ws")));
    const reply = new Promise<string>((resolve, reject) => {
      socket.addEventListener("message", (event) => resolve(String(event.data)));
      socket.addEventListener("error", () => reject(new Error("socket failed")));
      setTimeout(() => reject(new Error("no reply within 10 s")), 10_000);
    });
    await new Promise<void>((resolve) => socket.addEventListener("open", () => resolve()));
    socket.send("hi");
    expect(await reply).toBe("echo: hi");
    socket.close();
  });
});
