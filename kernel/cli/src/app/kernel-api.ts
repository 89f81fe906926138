/**
 * The running kernel's deployments API, as the app commands reach it: the kernel found from the
 * home's `kernel.json` (or `--url`), authorized with the home's admin token (or
 * `BUNTIME_ADMIN_TOKEN`). Deploying through the plugin keeps one code path for the CLI and the UI.
 */
import { existsSync, readFileSync } from "node:fs";
import { adminTokenPath } from "@buntime/kernel";
import { BuntimeError } from "@buntime/sdk";
import { cliContext } from "../common/context.ts";
import { announceHome } from "../common/home.ts";
import type { Output } from "../common/output.ts";
import { findKernel } from "../install/kernel-link.ts";

/** Where the deployments plugin answers. */
const API = "/deployments/api/apps";

/** A call to the deployments API. */
export type DeploymentsCall = (
  method: string,
  path: string,
  init?: { body?: BodyInit; type?: string },
) => Promise<unknown>;

/** The deployments API of the kernel running on `home` (or at `url`). */
export async function deploymentsApi(home: string, url: string | undefined): Promise<DeploymentsCall> {
  const base = url ?? (await findKernel(home))?.url;
  if (base === undefined)
    throw new BuntimeError("BUNTIME_ERR_CLI_USAGE", {
      details: `no kernel runs on ${home}; start one (buntime start) or pass --url`,
    });
  const token =
    process.env.BUNTIME_ADMIN_TOKEN ??
    (existsSync(adminTokenPath(home)) ? readFileSync(adminTokenPath(home), "utf8").trim() : "");
  return async (method, path, init = {}) => {
    const response = await fetch(new URL(`${API}${path}`, base), {
      method,
      body: init.body,
      headers: { authorization: `Bearer ${token}`, ...(init.type && { "content-type": init.type }) },
    });
    if (response.status === 204) return undefined;
    const answer = (await response.json().catch(() => ({}))) as {
      error?: { code?: string; message?: string };
    };
    if (response.ok) return answer;
    if (response.status === 404 && answer.error === undefined)
      throw new BuntimeError("BUNTIME_ERR_CLI_USAGE", {
        details: `${base} has no deployments plugin (add @buntime/plugin-deployments to the kernel)`,
      });
    const error = new BuntimeError("BUNTIME_ERR_INSTALL_KERNEL_REFUSED", {
      url: base,
      package: path || "the app list",
      details: `${answer.error?.message ?? response.statusText} [${answer.error?.code ?? response.status}]`,
    });
    throw error;
  };
}

/**
 * The deployments API for an app command's flags: the kernel at `--url`, else the one running on
 * the home (found as every command finds it, and named on stderr when found above the folder).
 */
export function deploymentsApiFor(
  values: { home?: string; config?: string; url?: string },
  out: Output,
): Promise<DeploymentsCall> {
  const context = cliContext(values);
  if (!values.url) announceHome(out, context.resolvedHome, false);
  return deploymentsApi(context.home, values.url);
}
