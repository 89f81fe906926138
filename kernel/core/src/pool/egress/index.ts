/**
 * Egress for `process`-tier apps. A sandboxed app has no network but loopback; its one way
 * out is a Unix socket to {@link startEgressProxy}, a kernel-side HTTP forward proxy that lets
 * through only the hosts in the app's `permissions.network`. Inside the sandbox,
 * {@link setUpSandboxEgress} does the rest in one call: {@link startEgressForwarder} offers that
 * socket on 127.0.0.1 for HTTP_PROXY/HTTPS_PROXY, {@link proxyWebSockets} sends WebSockets the
 * same way and {@link explainEgressDenials} makes refusals readable. See docs/permissions.md.
 */
export { EgressRefusedError, explainEgressDenials } from "./explain.ts";
export type { EgressForwarder } from "./forwarder.ts";
export { applyProxyEnv, proxyEnv, SANDBOX_PROXY_PORT, startEgressForwarder } from "./forwarder.ts";
export type { EgressPolicy, EgressProxy, EgressProxyOptions } from "./proxy.ts";
export { startEgressProxy } from "./proxy.ts";
export type { EgressLookup } from "./resolve.ts";
export { setUpSandboxEgress } from "./sandbox-setup.ts";
export { proxyWebSockets } from "./websocket.ts";
