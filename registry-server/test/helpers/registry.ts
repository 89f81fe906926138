import { afterAll, onTestFinished } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningRegistry, type StartRegistryOptions, startRegistry } from "@buntime/registry-server";

/**
 * Runs `cleanup` after the current test and its `afterEach` hooks or, called outside a test, after
 * the enclosing `describe` or file. Not from a `beforeAll`: bun runs a hook added there as soon as
 * that `beforeAll` ends.
 */
function afterScope(cleanup: () => unknown): void {
  try {
    onTestFinished(cleanup);
  } catch {
    afterAll(cleanup);
  }
}

/** A temporary folder, removed after the test or, made outside one, after the `describe` or file. */
export function tempDir(prefix = "buntime-registry-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterScope(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A registry on a free loopback port over fresh storage, stopped and removed like {@link tempDir}. */
export async function startTestRegistry(
  options: StartRegistryOptions = {},
): Promise<RunningRegistry & { base: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "buntime-registry-"));
  let registry: RunningRegistry | undefined;
  afterScope(async () => {
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  registry = await startRegistry({
    port: 0,
    hostname: "127.0.0.1",
    storageDir: join(dir, "store"),
    ...options,
  });
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
