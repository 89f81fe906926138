import { afterEach, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMIN, cleanUp, errorOf, fakeAuth, onCleanUp, startProxy, startUpstream, USER } from "./support.ts";

afterEach(cleanUp);

function send(method: string, body: unknown, authorization = ADMIN): RequestInit {
  return {
    method,
    headers: { authorization, "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

describe("the rules API", () => {
  it("is locked when no plugin provides the auth service", async () => {
    const kernel = await startProxy();
    const response = await kernel.fetch("/proxy/api/rules", { headers: { authorization: ADMIN } });
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toEqual({
      code: "BUNTIME_ERR_PROXY_API_LOCKED",
      message:
        "the proxy rules API needs an admin: no plugin provides the auth service; set rules in the plugin settings instead",
    });
  });

  it("is for admins only", async () => {
    const kernel = await startProxy({ plugins: [fakeAuth] });
    const anonymous = await kernel.fetch("/proxy/api/rules");
    expect(anonymous.status).toBe(401);
    expect((await errorOf(anonymous)).code).toBe("BUNTIME_ERR_AUTH_REQUIRED");
    const user = await kernel.fetch("/proxy/api/rules", send("POST", {}, USER));
    expect(user.status).toBe(403);
    expect((await errorOf(user)).code).toBe("BUNTIME_ERR_AUTH_FORBIDDEN");
  });

  it("adds, changes and removes rules that apply to the next request", async () => {
    const one = startUpstream(() => new Response("one"));
    const two = startUpstream(() => new Response("two"));
    const kernel = await startProxy({ plugins: [fakeAuth] });
    expect(await (await kernel.fetch("/echo/live")).text()).toBe("echo /echo/live");

    const added = await kernel.fetch(
      "/proxy/api/rules",
      send("POST", { id: "live", path: "/echo/*", upstream: one }),
    );
    expect(added.status).toBe(201);
    expect((await added.json()).rule).toMatchObject({
      id: "live",
      source: "api",
      timeout: 4000,
      stripPrefix: false,
    });
    expect(await (await kernel.fetch("/echo/live")).text()).toBe("one");

    const changed = await kernel.fetch(
      "/proxy/api/rules/live",
      send("PUT", { id: "live", path: "/echo/*", upstream: two }),
    );
    expect(changed.status).toBe(200);
    expect(await (await kernel.fetch("/echo/live")).text()).toBe("two");

    const removed = await kernel.fetch("/proxy/api/rules/live", {
      method: "DELETE",
      headers: { authorization: ADMIN },
    });
    expect(removed.status).toBe(204);
    expect(await (await kernel.fetch("/echo/live")).text()).toBe("echo /echo/live");
    const again = await kernel.fetch("/proxy/api/rules/live", {
      method: "DELETE",
      headers: { authorization: ADMIN },
    });
    expect(await errorOf(again)).toEqual({
      code: "BUNTIME_ERR_PROXY_RULE_NOT_FOUND",
      message: "no proxy rule live",
    });
  });

  it("refuses an invalid rule, a taken id and a mismatched id, naming the problem", async () => {
    const upstream = startUpstream();
    const kernel = await startProxy({
      plugins: [fakeAuth],
      rules: [{ id: "fixed", path: "/fixed/*", upstream }],
    });
    const invalid = await kernel.fetch(
      "/proxy/api/rules",
      send("POST", { id: "x", path: "/x/*", upstream: "not a url" }),
    );
    expect(invalid.status).toBe(400);
    const error = await errorOf(invalid);
    expect(error.code).toBe("BUNTIME_ERR_PROXY_RULE_INVALID");
    expect(error.message).toContain("rule.upstream: expected an http(s) URL");
    const taken = await kernel.fetch(
      "/proxy/api/rules",
      send("POST", { id: "fixed", path: "/y/*", upstream }),
    );
    expect((await errorOf(taken)).message).toBe("invalid proxy rule: a rule with id fixed exists");
    await kernel.fetch("/proxy/api/rules", send("POST", { id: "mine", path: "/m/*", upstream }));
    const mismatch = await kernel.fetch(
      "/proxy/api/rules/mine",
      send("PUT", { id: "other", path: "/m/*", upstream }),
    );
    expect((await errorOf(mismatch)).message).toBe("invalid proxy rule: the body's id other is not mine");
    const notJson = await kernel.fetch("/proxy/api/rules", {
      method: "POST",
      headers: { authorization: ADMIN },
      body: "{",
    });
    expect((await errorOf(notJson)).message).toBe("invalid proxy rule: expected a JSON body");
  });

  it("leaves rules from the settings alone", async () => {
    const upstream = startUpstream();
    const kernel = await startProxy({
      plugins: [fakeAuth],
      rules: [{ id: "fixed", path: "/fixed/*", upstream }],
    });
    const response = await kernel.fetch("/proxy/api/rules/fixed", {
      method: "DELETE",
      headers: { authorization: ADMIN },
    });
    expect(response.status).toBe(409);
    expect(await errorOf(response)).toEqual({
      code: "BUNTIME_ERR_PROXY_RULE_READONLY",
      message: "proxy rule fixed comes from the plugin settings; change it there",
    });
    const list = await kernel.fetch("/proxy/api/rules", { headers: { authorization: ADMIN } });
    expect((await list.json()).rules).toEqual([
      expect.objectContaining({ id: "fixed", path: "/fixed/*", upstream, source: "config" }),
    ]);
  });

  it("keeps API rules across a restart", async () => {
    const home = mkdtempSync(join(tmpdir(), "proxy-home-"));
    onCleanUp(() => rmSync(home, { recursive: true, force: true }));
    const upstream = startUpstream(() => new Response("kept"));
    const first = await startProxy({ plugins: [fakeAuth], home });
    await first.fetch("/proxy/api/rules", send("POST", { id: "kept", path: "/kept", upstream }));
    await first.stop();
    const second = await startProxy({ plugins: [fakeAuth], home });
    expect(await (await second.fetch("/kept")).text()).toBe("kept");
  });
});
