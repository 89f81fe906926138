/** Helpers of the database tests: a listening kernel with router and database, and apps that tell their database env. */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestKernel, type TestKernel, type TestPlugin } from "@buntime/kernel/testing";
import database from "@buntime/plugin-database";
import router from "@buntime/plugin-router";
import routerPackage from "@buntime/plugin-router/package.json" with { type: "json" };
import { type Client, createClient } from "@libsql/client/web";
import databasePackage from "../package.json" with { type: "json" };

/** An app that answers with the database URL and token the router gave it. */
export const ENV_APP = `export default { fetch: () => Response.json({
  url: process.env.BUNTIME_DATABASE_URL, token: process.env.BUNTIME_DATABASE_TOKEN }) };`;

/** The kernel's admin token in these tests. */
export const ADMIN_TOKEN = "database-tests-admin-token-0123456789abcdef";

/** A fresh home folder a sandboxed app could pass through. */
export function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), "buntime-database-"));
  chmodSync(home, 0o755);
  return home;
}

/** Writes app `name` (the env app) with `files` beside it (e.g. `migrations/0001.sql`). */
export function writeApp(home: string, name: string, files: Record<string, string> = {}): void {
  const dir = join(home, "apps", name);
  mkdirSync(join(dir, "migrations"), { recursive: true });
  writeFileSync(join(dir, "index.ts"), ENV_APP);
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
}

/** Starts a listening kernel on `home` with the router and the database plugin set as `settings`, after `extra`. */
export function startKernel(
  home: string,
  settings: Record<string, unknown> = {},
  extra: readonly TestPlugin[] = [],
): Promise<TestKernel> {
  return createTestKernel({
    config: { home, adminToken: ADMIN_TOKEN, plugins: { "@buntime/plugin-database": settings } },
    plugins: [
      ...extra,
      { packageJson: routerPackage, plugin: router },
      { packageJson: databasePackage, plugin: database },
    ],
    listen: true,
  });
}

/** What app `name` was told: its database URL and token. */
export async function envOf(kernel: TestKernel, name: string): Promise<{ url: string; token: string }> {
  if (!kernel.url) throw new Error("the test kernel does not listen");
  const response = await fetch(new URL(`/${name}/`, kernel.url));
  return (await response.json()) as { url: string; token: string };
}

/** The real @libsql/client on app `name`'s database, as the app would open it. */
export async function clientOf(kernel: TestKernel, name: string): Promise<Client> {
  const env = await envOf(kernel, name);
  return createClient({ url: env.url, authToken: env.token });
}

/** The message and code a promise rejects with. */
export async function failureOf(promise: Promise<unknown>): Promise<{ message: string; code?: string }> {
  try {
    await promise;
  } catch (error) {
    return { message: (error as Error).message, code: (error as { code?: string }).code };
  }
  throw new Error("expected a failure");
}
