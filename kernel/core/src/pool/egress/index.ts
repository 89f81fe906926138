/**
 * Egress for `process`-tier apps. A sandboxed app has no network but loopback; its one way
 * out is a Unix socket to {@link startEgressProxy}, a kernel-side HTTP forward proxy that lets
 * through only the hosts in the app's `permissions.network`. Inside the sandbox,
 * {@link startEgressForwarder} offers that socket on 127.0.0.1 for HTTP_PROXY/HTTPS_PROXY, and
 * {@link explainEgressDenials} makes refusals readable and {@link proxyWebSockets} sends
 * WebSockets the same way. See docs/permissions.md.
 */
export { EgressRefusedError, explainEgressDenials } from "./explain.ts";
export type { EgressForwarder } from "./forwarder.ts";
export { applyProxyEnv, startEgressForwarder } from "./forwarder.ts";
export type { EgressPolicy, EgressProxy, EgressProxyOptions } from "./proxy.ts";
export { startEgressProxy } from "./proxy.ts";
export type { EgressLookup } from "./resolve.ts";
export { proxyWebSockets } from "./websocket.ts";
