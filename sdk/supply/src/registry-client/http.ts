import { BuntimeError } from "@buntime/sdk";

/** How a client reaches its registry. */
export interface Transport {
  registry: string;
  token?: string;
  fetch: typeof fetch;
}

/** Sends a request to the registry, translating network failures and error answers into coded errors. */
export async function send(transport: Transport, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (transport.token) headers.set("authorization", `Bearer ${transport.token}`);
  const url = new URL(path, transport.registry);
  let response: Response;
  try {
    response = await transport.fetch(url, { ...init, headers });
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_CLIENT_UNREACHABLE",
      { registry: transport.registry, reason: error instanceof Error ? error.message : String(error) },
      { cause: error },
    );
  }
  return response;
}

/** Throws `BUNTIME_ERR_CLIENT_HTTP` (with the registry's own code and message) for a non-2xx answer. */
export async function failure(transport: Transport, response: Response, action: string): Promise<never> {
  let details = response.statusText || "no details";
  let registryCode = "";
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } | string };
    if (typeof body.error === "string") details = body.error;
    else if (body.error?.message) {
      details = body.error.message;
      registryCode = body.error.code ?? "";
    }
  } catch {
    // not JSON: keep the status text
  }
  throw new BuntimeError("BUNTIME_ERR_CLIENT_HTTP", {
    registry: transport.registry,
    status: response.status,
    action,
    details: registryCode ? `${details} [${registryCode}]` : details,
    registryCode,
  });
}

/** The URL path of a package: `@scope%2fname` for scoped names, as npm sends it. */
export function packagePath(name: string): string {
  return name.startsWith("@") ? `${name.replace("/", "%2f")}` : encodeURIComponent(name);
}
