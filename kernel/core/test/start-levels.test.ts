/**
 * Start levels: plugins that use none of each other start together; a plugin starts only after
 * every plugin it uses has finished its setup; the running set and the pipeline keep the
 * dependency order; a failing setup costs that plugin and its dependents their start, as before.
 */
import { describe, expect, it } from "bun:test";
import { definePlugin, type ManifestOptions } from "@buntime/sdk";
import { dependencyLevels } from "../src/plugins/start-levels.ts";
import { inlinePlugin, startTestKernel } from "./support/kernel-fixture.ts";

/** Names of the plugins whose `onRequest` saw a request, in the order they saw it. */
const seen: string[] = [];

/** A plugin whose setup runs `setup` and whose `onRequest` adds its name to `seen`. */
function tracked(name: string, manifest: Partial<ManifestOptions>, setup: () => unknown = () => undefined) {
  return inlinePlugin(
    name,
    manifest,
    definePlugin({
      async setup() {
        await setup();
        return {
          onRequest: () => {
            seen.push(name);
          },
        };
      },
    }),
  );
}

describe("starting plugins in dependency levels", () => {
  it("starts plugins that use none of each other together, and a dependent only after all it uses", async () => {
    const events: string[] = [];
    const secondEntered = Promise.withResolvers<void>();
    const plugins = [
      // the first waits for the second to be inside its setup: one at a time, it would time out
      tracked("first", {}, async () => {
        events.push("first:begin");
        await secondEntered.promise;
        events.push("first:end");
      }),
      tracked("second", {}, async () => {
        events.push("second:begin");
        secondEntered.resolve();
        await Bun.sleep(20);
        events.push("second:end");
      }),
      tracked("user", { dependencies: { first: "^1", second: "^1" } }, () => events.push("user:begin")),
    ];
    const { kernel } = await startTestKernel({ plugins, config: { lifecycleTimeout: 2_000 } });
    expect(kernel.plugins().map(({ name, status }) => `${name} ${status}`)).toEqual([
      "first running",
      "second running",
      "user running",
    ]);
    expect(events.indexOf("second:begin")).toBeLessThan(events.indexOf("first:end"));
    expect(events.at(-1)).toBe("user:begin");
  });

  it("keeps the dependency order in the running set and the pipeline, whichever setup ends first", async () => {
    const trail = inlinePlugin(
      "trail",
      { base: "/trail", dependencies: { user: "^1" } },
      definePlugin({
        setup: () => ({ fetch: () => Response.json(seen) }),
      }),
    );
    const plugins = [
      tracked("slow", {}, () => Bun.sleep(30)),
      tracked("fast", {}),
      tracked("user", { dependencies: { fast: "^1" } }),
      trail,
    ];
    const { kernel, request } = await startTestKernel({ plugins });
    expect(kernel.plugins().map(({ name }) => name)).toEqual(["slow", "fast", "user", "trail"]);
    seen.length = 0;
    expect(await (await request("/trail")).json()).toEqual(["slow", "fast", "user"]);
  });

  it("costs a failing plugin and its dependents their start; its siblings and theirs start", async () => {
    const plugins = [
      inlinePlugin(
        "broken",
        {},
        definePlugin({
          setup: async () => {
            await Bun.sleep(5);
            throw new Error("no database");
          },
        }),
      ),
      tracked("sibling", {}, () => Bun.sleep(10)),
      tracked("needs-broken", { dependencies: { broken: "^1" } }),
      tracked("needs-sibling", { dependencies: { sibling: "^1" } }),
      tracked("needs-both", { dependencies: { "needs-broken": "^1", "needs-sibling": "^1" } }),
    ];
    const { kernel } = await startTestKernel({ plugins });
    const status = Object.fromEntries(kernel.plugins().map((p) => [p.name, p.error ?? p.status]));
    expect(status).toEqual({
      broken: "broken setup failed: no database",
      sibling: "running",
      "needs-broken": "dependency broken failed to start",
      "needs-sibling": "running",
      "needs-both": "dependency needs-broken failed to start",
    });
  });

  it("asks the router about every base as soon as it is up, while slower setups still run", async () => {
    const events: string[] = [];
    const apps = {
      identify: () => undefined,
      locate: (pathname: string) => ({ name: pathname.split("/")[1] ?? "", rest: "/" }),
      folders: async (name: string) => {
        events.push(`asked ${name}`);
        return name === "notes" ? ["/apps/notes"] : [];
      },
    };
    const plugins = [
      inlinePlugin(
        "router",
        { base: "/", provides: ["apps"] },
        definePlugin({ setup: (ctx) => ctx.services.provide("apps", apps) }),
      ),
      tracked("slow", { base: "/slow" }, async () => {
        await Bun.sleep(50);
        events.push("slow:end");
      }),
      tracked("notes-api", { base: "/notes/api" }),
    ];
    const { kernel } = await startTestKernel({ plugins });
    expect(events.indexOf("asked slow")).toBeLessThan(events.indexOf("slow:end"));
    const status = Object.fromEntries(kernel.plugins().map((p) => [p.name, p.error ?? p.status]));
    expect(status).toEqual({
      router: "running",
      slow: "running",
      "notes-api": "notes-api@1.0.0 cannot mount at /notes/api: app notes already has it",
    });
  });

  it("groups by dependencies within the start, optional ones too, and keeps the given order in a level", () => {
    const ordered = [
      item("router"),
      item("storage"),
      item("auth", { dependencies: { storage: "^1", running: "^1" } }),
      item("logs"),
      item("metrics", { optionalDependencies: { logs: "^1", auth: "^1", absent: "^1" } }),
    ];
    expect(names(dependencyLevels(ordered))).toEqual([["router", "storage", "logs"], ["auth"], ["metrics"]]);
  });

  it("puts a plugin after the earlier plugins that provide a service it consumes, as one after another did", () => {
    const ordered = [
      item("early", { consumes: ["keyval"] }),
      item("router", { provides: ["apps"] }),
      item("where", { consumes: ["apps", "kernel:admin"] }),
      item("storage", { provides: ["keyval"], consumes: ["apps"] }),
      item("late", { consumes: ["keyval"] }),
    ];
    expect(names(dependencyLevels(ordered))).toEqual([["early", "router"], ["where", "storage"], ["late"]]);
  });

  it("lets a plugin that consumes another's service, without depending on it, see it at setup", async () => {
    let seen = false;
    const plugins = [
      inlinePlugin(
        "greeter",
        { provides: ["greeting"] },
        definePlugin({
          setup: async (ctx) => {
            await Bun.sleep(10);
            ctx.services.provide("greeting", { hello: () => "hi" });
          },
        }),
      ),
      inlinePlugin(
        "visitor",
        { consumes: ["greeting"] },
        definePlugin({
          setup: (ctx) => {
            seen = ctx.services.has("greeting");
          },
        }),
      ),
    ];
    await startTestKernel({ plugins });
    expect(seen).toBe(true);
  });
});

type Item = Parameters<typeof dependencyLevels>[0][number];

/** A start's item as the host has one (only its manifest matters), for the grouping tests. */
function item(name: string, manifest: Partial<ManifestOptions> = {}): Item {
  const { dependencies = {}, optionalDependencies = {}, consumes = [], provides = [] } = manifest;
  const buntime = { dependencies, optionalDependencies, consumes, provides };
  return { source: { pkg: { name, version: "1.0.0", buntime } } } as unknown as Item;
}

/** The names in each level. */
const names = (levels: Item[][]) => levels.map((level) => level.map(({ source }) => source.pkg.name));
