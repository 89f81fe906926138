import { BuntimeError, packageNameSchema } from "@buntime/sdk";
import type { Context } from "hono";

/** Route prefixes that capture a package name: `@scope/name` (two segments) or one segment (`name`, `@scope%2fname`). */
export const NAME_ROUTES = ["/:scope{@[^/%]+}/:name", "/:name"] as const;

/** The package name a request addresses, validated. */
export function packageNameOf(c: Context): string {
  const scope = c.req.param("scope");
  const raw = c.req.param("name") ?? "";
  const name = scope ? `${scope}/${raw}` : raw;
  const parsed = packageNameSchema.safeParse(name);
  if (!parsed.success) {
    throw new BuntimeError("BUNTIME_ERR_BAD_REQUEST", {
      details: `invalid package name ${JSON.stringify(name)}`,
    });
  }
  return parsed.data;
}

/** `@scope/name` → `name`. */
export function unscopedName(name: string): string {
  return name.slice(name.indexOf("/") + 1);
}

/** The tarball file name npm expects: `name-1.0.0.tgz` (no scope). */
export function tarballFileName(name: string, version: string): string {
  return `${unscopedName(name)}-${version}.tgz`;
}

/** The version in a tarball file name, or undefined when the file is not this package's. */
export function versionFromFileName(name: string, file: string): string | undefined {
  const prefix = `${unscopedName(name)}-`;
  if (!file.startsWith(prefix) || !file.endsWith(".tgz")) return undefined;
  return file.slice(prefix.length, -".tgz".length) || undefined;
}

/** `@scope/name` → `@scope%2fname`, how npm writes a name in one path segment. */
export function escapedName(name: string): string {
  return name.replace("/", "%2f");
}
