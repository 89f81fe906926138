import { existsSync, readFileSync } from "node:fs";
import { adminTokenPath, kernelFilePath } from "@buntime/kernel";
import { BuntimeError } from "@buntime/sdk";
import { isAlive } from "./home-lock.ts";

/** The kernel running on a home, reached over its API with the home's admin token. */
export interface KernelLink {
  url: string;
  /** The running kernel's version, which plugins' `kernel` ranges must admit. */
  version: string;
  /**
   * Loads installed plugin versions as one batch (the kernel orders them, all or nothing); a
   * loaded plugin is swapped for the version named.
   */
  apply(plugins: readonly { name: string; version: string }[]): Promise<void>;
  unload(name: string): Promise<void>;
  /** Unloads plugins as one batch (the kernel stops dependents first), all or nothing. */
  unloadAll(names: readonly string[]): Promise<void>;
  /** Names and versions of the loaded plugins. */
  loaded(): Promise<{ name: string; version: string; status: string }[]>;
}

/**
 * Finds the kernel listening on `home` from `<home>/kernel.json`; undefined when none runs
 * (no file, a dead pid, or no answer to `/_/api/health` within a second). A kernel that
 * answers the health check with an error is `BUNTIME_ERR_INSTALL_KERNEL_REFUSED`.
 */
export async function findKernel(home: string): Promise<KernelLink | undefined> {
  const path = kernelFilePath(home);
  if (!existsSync(path)) return undefined;
  let record: { url?: string; pid?: number };
  try {
    record = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
  if (!record.url || (record.pid && !isAlive(record.pid))) return undefined;
  const base = record.url;
  const token = existsSync(adminTokenPath(home)) ? readFileSync(adminTokenPath(home), "utf8").trim() : "";
  const authorization = { authorization: `Bearer ${token}` };
  let health: Response;
  try {
    // with the token: an auth plugin may guard the kernel API
    health = await fetch(new URL("/_/api/health", base), {
      headers: authorization,
      signal: AbortSignal.timeout(1000),
    });
  } catch {
    return undefined; // nothing answers there: the record is stale
  }
  if (!health.ok) {
    // a kernel runs but will not talk to us: better to stop than to install what it will not load
    throw new BuntimeError("BUNTIME_ERR_INSTALL_KERNEL_REFUSED", {
      url: base,
      package: "the health check",
      details: `it answered ${health.status}`,
    });
  }
  const call = async (method: string, path: string, label: string, body?: unknown) => {
    const response = await fetch(new URL(path, base), {
      method,
      headers: { ...authorization, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.ok) return response;
    const answer = (await response.json().catch(() => ({}))) as {
      error?: { code?: string; message?: string };
    };
    throw new BuntimeError("BUNTIME_ERR_INSTALL_KERNEL_REFUSED", {
      url: base,
      package: label,
      details: `${answer.error?.message ?? response.statusText} [${answer.error?.code ?? response.status}]`,
    });
  };
  const { version } = (await health.json()) as { version: string };
  return {
    url: base,
    version,
    async apply(plugins) {
      const label = plugins.map(({ name, version }) => `${name}@${version}`).join(", ");
      await call("POST", "/_/api/plugins", label, {
        plugins: plugins.map(({ name, version }) => ({ name, version })),
      });
    },
    async unload(name) {
      await call("DELETE", `/_/api/plugins/${name}`, name);
    },
    async unloadAll(names) {
      await call("POST", "/_/api/plugins/unload", names.join(", "), { names });
    },
    async loaded() {
      const response = await call("GET", "/_/api/plugins", "the plugin list");
      return ((await response.json()) as { plugins: { name: string; version: string; status: string }[] })
        .plugins;
    },
  };
}
