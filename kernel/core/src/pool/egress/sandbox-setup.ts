/**
 * The one call a sandboxed child makes before importing the app: everything the app's
 * network code needs to go through the kernel's egress proxy, and to say why when refused.
 * This file loads no `node:http` (which would read the proxy variables too early); import it
 * rather than the egress index, which also holds the kernel-side proxy.
 */
import { explainEgressDenials } from "./explain.ts";
import {
  applyProxyEnv,
  type EgressForwarder,
  SANDBOX_PROXY_PORT,
  startEgressForwarder,
} from "./forwarder.ts";
import { proxyWebSockets } from "./websocket.ts";

/**
 * Starts the forwarder to `socketPath` on 127.0.0.1:`options.port` (default
 * {@link SANDBOX_PROXY_PORT}, the port {@link proxyEnv} at spawn should name), points
 * HTTP_PROXY/HTTPS_PROXY (both cases, with NODE_USE_ENV_PROXY=1 for `node:http(s)`) at it and
 * removes NO_PROXY, routes `WebSocket` through it
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
  const forwarder = await startEgressForwarder(socketPath, { port: options.port ?? SANDBOX_PROXY_PORT });
  applyProxyEnv(forwarder.proxyUrl);
  proxyWebSockets(forwarder.proxyUrl);
  explainEgressDenials();
  return forwarder;
}
