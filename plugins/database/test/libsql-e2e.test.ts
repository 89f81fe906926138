import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import database from "@buntime/plugin-database";
import router from "@buntime/plugin-router";
import routerPackage from "@buntime/plugin-router/package.json" with { type: "json" };
import { bundleApp } from "@buntime/test-kit/apps";
import { isolationTiers } from "@buntime/test-kit/system";
import databasePackage from "../package.json" with { type: "json" };

/** The app example of docs/plugins/database.md, the block that starts with `// apps/notes/index.ts`. */
function docsExample(): string {
  const page = readFileSync(
    join(import.meta.dir, "..", "..", "..", "docs", "plugins", "database.md"),
    "utf8",
  );
  return /```ts\n(\/\/ apps\/notes\/index\.ts[^\n]*\n[\s\S]*?)```/.exec(page)?.[1] ?? "";
}

/** The fixture app bundled with the real @libsql/client into `<dir>/index.js`, as an app's build would. */
const FIXTURE_APP = join(import.meta.dir, "fixtures", "libsql-app.ts");

describe.each(isolationTiers())("@libsql/client from an app in the %s tier", (tier) => {
  let kernel: TestKernel;
  const home = mkdtempSync(join(tmpdir(), "buntime-database-e2e-"));
  chmodSync(home, 0o755); // a sandbox's own user must reach the apps' folders
  const call = async (app: string, path: string, body?: unknown) => {
    if (!kernel.url) throw new Error("the test kernel does not listen");
    const response = await fetch(new URL(`/${app}${path}`, kernel.url), {
      method: body === undefined ? "GET" : "POST",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return response.json() as Promise<Record<string, unknown>>;
  };

  beforeAll(async () => {
    for (const app of ["alpha", "beta"]) await bundleApp(FIXTURE_APP, join(home, "apps", app));
    // the docs' example, from a file beside the tests so that @libsql/client resolves as in an app
    const example = join(import.meta.dir, `.docs-example-${tier}.ts`);
    writeFileSync(example, docsExample());
    try {
      await bundleApp(example, join(home, "apps", "notes"));
    } finally {
      rmSync(example, { force: true });
    }
    kernel = await createTestKernel({
      config: { home, isolation: { minimum: tier } },
      plugins: [
        { packageJson: routerPackage, plugin: router },
        { packageJson: databasePackage, plugin: database },
      ],
      listen: true,
    });
    await call("alpha", "/setup");
    await call("beta", "/setup");
  });
  afterAll(async () => {
    await kernel.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("gets its database URL from the router and keeps every value type exactly", async () => {
    expect(await call("alpha", "/insert")).toEqual({
      affected: 1,
      id: 1,
      body: "hello",
      score: 1.5,
      data: [1, 2, 255],
      big: "9007199254740993",
      nothing: null,
    });
  });

  it("runs a batch as one transaction, and a failing batch changes nothing", async () => {
    expect(await call("beta", "/batch")).toEqual({ n: 2 });
    const failed = await call("beta", "/batch-fails");
    expect(failed.unchanged).toBe(true);
    expect(String((failed.error as { message: string }).message)).toContain("NOT NULL");
  });

  it("holds an interactive transaction across requests: rollback undoes, commit keeps", async () => {
    expect(await call("alpha", "/rollback")).toEqual({ inside: 1, after: 0 });
    expect(await call("alpha", "/commit")).toEqual({ added: 2 });
  });

  it("keeps the apps' databases apart", async () => {
    await call("beta", "/query", { sql: "CREATE TABLE beta_only (x)" });
    const seen = (
      await call("alpha", "/query", { sql: "SELECT name FROM sqlite_schema WHERE name = 'beta_only'" })
    ).rows as unknown[];
    expect(seen).toEqual([]);
    const refused = (await call("alpha", "/other")) as { message: string };
    expect(refused.message).toContain("app alpha may not use database beta");
  });

  it("reports a bad statement as the client's error and goes on", async () => {
    const error = (await call("alpha", "/sql", { sql: "SELEC 1" })) as { code: string; message: string };
    expect(error.message).toContain("syntax error");
    expect((await call("alpha", "/query", { sql: "SELECT 1 AS one" })).rows).toEqual([{ one: 1 }]);
  });

  it("runs the app example of docs/plugins/database.md as written", async () => {
    expect(docsExample()).toContain("BUNTIME_DATABASE_URL");
    expect(await call("notes", "/")).toEqual({ visits: 1 });
    expect(await call("notes", "/")).toEqual({ visits: 2 });
  });
});
