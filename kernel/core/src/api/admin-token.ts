import { timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Where a kernel keeps its generated admin token, readable only by its owner. */
export function adminTokenPath(home: string): string {
  return join(home, "admin-token");
}

/**
 * The token that authorizes kernel API writes: the configured one, else the one saved in
 * `<home>/admin-token`, else a fresh random token saved there (mode 0600) so the CLI on the
 * same home can use it.
 */
export function resolveAdminToken(home: string, configured?: string): string {
  if (configured) return configured;
  const path = adminTokenPath(home);
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  const token = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${token}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
  return token;
}

/** True when the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function hasAdminToken(request: Request, token: string): boolean {
  const header = request.headers.get("authorization") ?? "";
  const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7) : "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
