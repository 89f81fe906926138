import { describe, expect, it } from "bun:test";
import type { PluginStatus, ServiceAccess } from "@buntime/sdk";
import { dataEnv } from "../src/app-env.ts";

/** Services where `kernel:plugins` lists `plugins`. */
function servicesWith(plugins: Partial<PluginStatus>[]): ServiceAccess {
  const list = () =>
    plugins.map((p) => ({ status: "running", provides: [], dependencies: {}, ...p }) as PluginStatus);
  return {
    provide() {},
    has: (name) => name === "kernel:plugins",
    get: ((name: string) =>
      name === "kernel:plugins" ? { list, subscribe: () => () => {} } : undefined) as ServiceAccess["get"],
  };
}

describe("dataEnv: what an app learns about its database", () => {
  const database = {
    name: "@buntime/plugin-database",
    version: "0.1.0",
    base: "/database",
    provides: ["database"],
  };

  it("names the app's database under the base of the plugin that provides database, with the app's token", () => {
    expect(dataEnv(servicesWith([database]), "http://127.0.0.1:8000", "notes", "notes.sig")).toEqual({
      BUNTIME_DATABASE_URL: "http://127.0.0.1:8000/database/apps/notes/",
      BUNTIME_DATABASE_TOKEN: "notes.sig",
    });
  });

  it("follows the plugin's base and encodes the app's name", () => {
    const moved = { ...database, base: "/sql" };
    expect(dataEnv(servicesWith([moved]), "http://h", "a b", "t").BUNTIME_DATABASE_URL).toBe(
      "http://h/sql/apps/a%20b/",
    );
  });

  it("gives nothing without a running database plugin or before the kernel listens", () => {
    expect(dataEnv(servicesWith([]), "http://h", "notes", "t")).toEqual({});
    expect(dataEnv(servicesWith([{ ...database, status: "failed" }]), "http://h", "notes", "t")).toEqual({});
    expect(dataEnv(servicesWith([database]), undefined, "notes", "t")).toEqual({});
  });
});
