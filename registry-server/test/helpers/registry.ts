import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningRegistry, type StartRegistryOptions, startRegistry } from "@buntime/registry-server";

/** A temporary folder removed after the file's tests. */
export function tempDir(prefix = "buntime-registry-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A registry on a free loopback port over fresh storage, stopped after the file's tests. */
export async function startTestRegistry(
  options: StartRegistryOptions = {},
): Promise<RunningRegistry & { base: string; dir: string }> {
  const dir = tempDir();
  const registry = await startRegistry({
    port: 0,
    hostname: "127.0.0.1",
    storageDir: join(dir, "store"),
    ...options,
  });
  afterAll(() => registry.stop());
  return { ...registry, base: registry.url.replace(/\/$/, ""), dir };
}

/** JSON request against the registry, with an optional bearer token. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {}
  return { status: response.status, body, headers: response.headers };
}

/** Creates (or logs in) `name` the way `npm adduser` does and returns its publish token. */
export async function signUp(base: string, name: string, password = "correct-horse"): Promise<string> {
  const res = await call(base, "PUT", `/-/user/org.couchdb.user:${name}`, {
    body: {
      _id: `org.couchdb.user:${name}`,
      name,
      password,
      email: `${name}@example.com`,
      type: "user",
      roles: [],
    },
  });
  if (res.status !== 201)
    throw new Error(`sign-up of ${name} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}
