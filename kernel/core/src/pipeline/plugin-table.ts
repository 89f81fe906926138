import type { PluginHooks } from "@buntime/sdk";
import type { LoadedPlugin } from "../plugins/loaded-plugin.ts";
import { mountPlugin, type PluginHandler } from "./mount-plugin.ts";

interface BoundHook<F> {
  readonly plugin: string;
  readonly fn: F;
}

interface BaseHandler {
  readonly plugin: string;
  readonly base: string;
  readonly handle: PluginHandler;
}

type RequestHook = NonNullable<PluginHooks["onRequest"]>;
type ResponseHook = NonNullable<PluginHooks["onResponse"]>;

function bind<K extends "onRequest" | "onResponse">(plugins: readonly LoadedPlugin[], hook: K) {
  const bound: BoundHook<NonNullable<PluginHooks[K]>>[] = [];
  for (const plugin of plugins) {
    const fn = plugin.hooks[hook];
    if (fn) bound.push({ plugin: plugin.name, fn: fn as NonNullable<PluginHooks[K]> });
  }
  return bound;
}

/**
 * An immutable snapshot of the running plugins, compiled for the request path: hook arrays
 * in order and handlers by base, longest first. Loading or unloading a plugin builds a new
 * table; requests keep the table they started with, and the old table tells when the last of
 * them has finished.
 */
export class PluginTable {
  readonly plugins: readonly LoadedPlugin[];
  readonly requestHooks: readonly BoundHook<RequestHook>[];
  /** `onResponse` hooks in reverse dependency order. */
  readonly responseHooks: readonly BoundHook<ResponseHook>[];
  readonly handlers: readonly BaseHandler[];
  #inflight = 0;
  readonly #drainWaiters = new Set<() => void>();

  constructor(plugins: readonly LoadedPlugin[]) {
    this.plugins = plugins;
    this.requestHooks = bind(plugins, "onRequest");
    this.responseHooks = bind(plugins, "onResponse").reverse();
    const handlers: BaseHandler[] = [];
    for (const plugin of plugins) {
      const handle = mountPlugin(plugin);
      if (handle && plugin.manifest.base)
        handlers.push({ plugin: plugin.name, base: plugin.manifest.base, handle });
    }
    this.handlers = handlers.sort((a, b) => b.base.length - a.base.length);
  }

  get inflight(): number {
    return this.#inflight;
  }

  enter(): void {
    this.#inflight++;
  }

  leave(): void {
    if (--this.#inflight === 0) for (const wake of this.#drainWaiters) wake();
  }

  /** Resolves once no request that started on this table is still running, or after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void> {
    if (this.#inflight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#drainWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.#drainWaiters.add(wake);
    });
  }
}
