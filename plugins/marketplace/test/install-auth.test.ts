import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { packPlugin } from "@buntime/supply";
import { type Bench, jobEvents, startBench } from "./support.ts";

const PASSWORD = "correct horse battery";
const AUTH_DIR = join(import.meta.dir, "..", "..", "auth");

describe("installing the real auth plugin from the marketplace", () => {
  let bench: Bench;
  const at = (path: string) => new URL(path, bench.url);
  const run = async (body: unknown, headers: Record<string, string> = {}) => {
    const started = await fetch(at("/marketplace/api/apply"), {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    expect(started.status).toBe(202);
    const { events } = (await started.json()) as { events: string };
    return (await jobEvents(bench.url, events, headers)).at(-1);
  };

  beforeAll(async () => {
    bench = await startBench([], { BUNTIME_ADMIN_PASSWORD: PASSWORD });
    await bench.registry.publishTarball(packPlugin(AUTH_DIR).tarball);
  }, 30_000);
  afterAll(() => bench?.stop());

  it("installs it (the short name means the first-party plugin), then only an admin who signed in may act", async () => {
    const plan = await (await fetch(at("/marketplace/api/plan?action=install&name=auth"))).json();
    expect(plan.steps.map((s: { name: string }) => s.name)).toEqual(["@buntime/plugin-auth"]);
    expect(
      await run({ action: "install", name: "@buntime/plugin-auth", version: plan.steps[0].version }),
    ).toMatchObject({ type: "done" });

    expect((await fetch(at("/marketplace/"))).status).toBe(401);
    const login = await fetch(at("/auth/login"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const page = await (await fetch(at("/marketplace/installed"), { headers: { cookie } })).text();
    expect(page).toContain('data-name="@buntime/plugin-auth"');

    expect(await run({ action: "remove", name: "@buntime/plugin-auth" }, { cookie })).toMatchObject({
      type: "done",
    });
    expect((await fetch(at("/marketplace/"))).status).toBe(200);
    const trail = await (await fetch(at("/marketplace/api/audit.jsonl"))).text();
    expect(
      trail
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).who),
    ).toEqual(["loopback", "admin"]);
  }, 60_000);
});
