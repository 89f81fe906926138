/**
 * What an app learns about the data plugins it may use: when a running plugin provides the
 * `database` service (`@buntime/plugin-database`), its app's database URL and the token that
 * opens it, as `@libsql/client` takes them.
 */
import type { ServiceAccess } from "@buntime/sdk";

/**
 * `BUNTIME_DATABASE_URL` (`<kernel><base>/apps/<app>/`; the closing slash keeps the client's
 * `v2/pipeline` under it) and `BUNTIME_DATABASE_TOKEN` (the app's own token), or nothing when
 * no running plugin provides `database` or the kernel does not listen yet.
 */
export function dataEnv(
  services: ServiceAccess,
  kernelUrl: string | undefined,
  app: string,
  token: string,
): Record<string, string> {
  if (!kernelUrl || !services.has("kernel:plugins")) return {};
  const database = services
    .get("kernel:plugins")
    .list()
    .find((plugin) => plugin.status === "running" && plugin.provides.includes("database"));
  if (database?.base === undefined) return {};
  return {
    BUNTIME_DATABASE_URL: `${kernelUrl}${database.base}/apps/${encodeURIComponent(app)}/`,
    BUNTIME_DATABASE_TOKEN: token,
  };
}
