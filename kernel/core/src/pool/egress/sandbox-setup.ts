/**
 * The one call a sandboxed child makes before importing the app: everything the app's
 * network code needs to go through the kernel's egress proxy, and to say why when refused.
 */
import { explainEgressDenials } from "./explain.ts";
import { applyProxyEnv, type EgressForwarder, startEgressForwarder } from "./forwarder.ts";
import { proxyWebSockets } from "./websocket.ts";

/**
 * Starts the forwarder to `socketPath` (on `options.port`, or a free port), points
 * HTTP_PROXY/HTTPS_PROXY (both cases) at it and removes NO_PROXY, routes `WebSocket` through it
 * and makes refused fetches throw an error naming the permission.
 *
 * @example
 * await setUpSandboxEgress("/run/buntime/egress.sock");
 * await import(appEntry);
 */
export async function setUpSandboxEgress(
  socketPath: string,
  options: { readonly port?: number } = {},
): Promise<EgressForwarder> {
  const forwarder = await startEgressForwarder(socketPath, options);
  applyProxyEnv(forwarder.proxyUrl);
  proxyWebSockets(forwarder.proxyUrl);
  explainEgressDenials();
  return forwarder;
}
