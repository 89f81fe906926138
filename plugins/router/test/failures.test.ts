/**
 * An app's failures through the router: its console lines reach the kernel's log under the
 * request's id; a syntax error's file, line and message reach admins, while anyone else gets
 * the request id to quote and never a stack or a path.
 */
import { describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { InlinePlugin } from "@buntime/kernel";
import { definePlugin, type LogEntry } from "@buntime/sdk";
import { start } from "./support.ts";

/** Runs after the router and signs in `x-test-user` with the roles in `x-test-roles`, as auth would. */
const signer: InlinePlugin = {
  packageJson: {
    name: "signer",
    version: "1.0.0",
    buntime: { kernel: "*", optionalDependencies: { "@buntime/plugin-router": "*" } },
  },
  plugin: definePlugin({
    setup: () => ({
      onRequest(request, context) {
        const username = request.headers.get("x-test-user");
        const roles = request.headers.get("x-test-roles")?.split(",") ?? [];
        if (username) context.locals.user = { username, roles };
      },
    }),
  }),
};

function writeFiles(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

async function waitFor(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 150 && !check(); i++) await Bun.sleep(20);
  return check();
}

describe("an app's failures through the router", () => {
  it("logs the app's console lines under app:<name> with the id the client got in x-request-id", async () => {
    const lines: LogEntry[] = [];
    const { apps, get } = await start({ logSink: (entry) => lines.push(entry as LogEntry) });
    writeFiles(join(apps, "talker"), {
      "index.ts": `export default { fetch() { console.log("talking"); return new Response("ok"); } };`,
    });
    const response = await get("/talker/", { headers: { "x-request-id": "forged-by-client" } });
    expect(await response.text()).toBe("ok");
    const id = response.headers.get("x-request-id") as string;
    expect(id).not.toBe("forged-by-client");
    const logged = () => lines.find((line) => line.namespace === "app:talker");
    expect(await waitFor(() => logged() !== undefined)).toBe(true);
    expect(logged()).toMatchObject({
      level: "info",
      message: "talking",
      fields: { app: "talker", requestId: id },
    });
  });

  it("shows a syntax error's file and line to an admin, and only the request id to anyone else", async () => {
    const { apps, get } = await start({ plugins: [signer] });
    writeFiles(join(apps, "broken"), {
      "index.ts": 'export default {\n  fetch() { return new Response("x") }\n  oops oops\n};\n',
    });
    const anonymous = await get("/broken/");
    expect(anonymous.status).toBe(502);
    const hidden = await anonymous.text();
    expect(hidden).toContain("BUNTIME_ERR_POOL_WORKER_FAILED");
    expect(hidden).toContain(`see request ${anonymous.headers.get("x-request-id")}`);
    expect(hidden).not.toContain("index.ts");
    expect(hidden).not.toContain(apps);

    const user = await get("/broken/", { headers: { "x-test-user": "bob", "x-test-roles": "dev" } });
    expect(await user.text()).not.toContain("index.ts");

    const admin = await get("/broken/", { headers: { "x-test-user": "ada", "x-test-roles": "admin" } });
    expect(admin.status).toBe(502);
    expect(await admin.text()).toMatch(/index\.ts:3:\d+: Expected/);
  });

  it("hides a handler's error message from anonymous clients; the stack is in the log", async () => {
    const lines: LogEntry[] = [];
    const { apps, get } = await start({ logSink: (entry) => lines.push(entry as LogEntry) });
    writeFiles(join(apps, "thrower"), {
      "index.ts": `export default { fetch() { throw new Error("cannot open /etc/secret/path"); } };`,
    });
    const response = await get("/thrower/");
    expect(response.status).toBe(502);
    expect(await response.text()).not.toContain("/etc/secret");
    const id = response.headers.get("x-request-id");
    const logged = () =>
      lines.find((line) => line.namespace === "app:thrower" && line.fields?.requestId === id);
    expect(await waitFor(() => logged() !== undefined)).toBe(true);
    expect(logged()?.message).toContain("cannot open /etc/secret/path");
    expect(logged()?.message).toContain("index.ts:1");
  });

  it("passes an app's own 500 and 502 answers through unchanged", async () => {
    const { apps, get } = await start();
    writeFiles(join(apps, "gateway"), {
      "index.ts": `export default { fetch: () => Response.json({ error: { code: "UPSTREAM_DOWN" } }, { status: 502 }) };`,
    });
    const response = await get("/gateway/");
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: { code: "UPSTREAM_DOWN" } });
  });
});
