/**
 * Ephemeral apps with `ephemeral: "context"`: a long-lived thread that serves one app evaluates
 * it again in a new `node:vm` context for every request, so no module state, global or
 * prototype of a builtin survives from one request into the next, at a fraction of a fresh
 * Worker's cost.
 *
 * Bun has `vm.SourceTextModule`, but linking every module of the app again per request costs
 * what a fresh Worker saves; so the app is bundled once into one CommonJS script (`Bun.build`),
 * compiled once (`vm.Script`) and run in each new context. A context has its own JS builtins
 * (Object, Array, Promise, …); the web platform (Request, Response, fetch, URL, streams, …) is
 * the thread's own, hardened (frozen, with everything reachable from it and the thread's
 * builtins) before the first request, so a request cannot change it for the next one. Timers a
 * request leaves running are cleared once its response has been sent.
 */
/** The web platform a context sees: the thread's own objects, hardened. */
const PLATFORM = [
  "fetch",
  "Request",
  "Response",
  "Headers",
  "URL",
  "URLSearchParams",
  "TextEncoder",
  "TextDecoder",
  "AbortController",
  "AbortSignal",
  "Blob",
  "File",
  "FormData",
  "ReadableStream",
  "WritableStream",
  "TransformStream",
  "Event",
  "EventTarget",
  "DOMException",
  "crypto",
  "atob",
  "btoa",
  "structuredClone",
  "queueMicrotask",
  "Buffer",
] as const;

/** The thread's JS builtins: host objects hand out instances of them (a Promise, an Array). */
function intrinsics(): unknown[] {
  const g = globalThis as unknown as Record<string, unknown>;
  const named = Object.getOwnPropertyNames(globalThis)
    .filter((name) => /^[A-Z]/.test(name) || name === "globalThis")
    .map((name) => {
      try {
        return g[name];
      } catch {
        return undefined;
      }
    });
  const iterator = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
  async function* asyncGenerator(): AsyncGenerator<never> {}
  function* generator(): Generator<never> {}
  return [
    ...named.filter((value) => value !== globalThis),
    iterator,
    Object.getPrototypeOf(asyncGenerator),
    Object.getPrototypeOf(generator),
    Object.getPrototypeOf(asyncGenerator()),
    Object.getPrototypeOf(generator()),
    Object.getPrototypeOf(async () => {}),
  ];
}

let hardened = false;

/** Freezes `roots` and every object reachable from them through properties and prototypes. */
function harden(roots: unknown[]): void {
  const seen = new Set<object>();
  const stack = [...roots];
  while (stack.length > 0) {
    const value = stack.pop();
    if ((typeof value !== "object" && typeof value !== "function") || value === null) continue;
    if (seen.has(value)) continue;
    seen.add(value);
    try {
      Object.freeze(value);
    } catch {
      // an exotic object that refuses (a module namespace): its properties are still walked
    }
    stack.push(Object.getPrototypeOf(value));
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor === undefined) continue;
      if ("value" in descriptor) stack.push(descriptor.value);
      else stack.push(descriptor.get, descriptor.set);
    }
  }
}

/** A `console` for one context: the thread's console (captured per request) behind fresh functions. */
function contextConsole(): Record<string, (...args: unknown[]) => void> {
  const methods = ["log", "info", "warn", "error", "debug", "trace"] as const;
  return Object.fromEntries(methods.map((name) => [name, (...args: unknown[]) => console[name](...args)]));
}

type TimerKind = "timeout" | "interval" | "immediate";

/** Timers of one context, cleared together once its request is done. */
class ContextTimers {
  private readonly live = new Map<unknown, TimerKind>();

  globals(): Record<string, unknown> {
    const add = (kind: TimerKind, handle: unknown): unknown => {
      this.live.set(handle, kind);
      return handle;
    };
    return {
      setTimeout: (fn: () => void, ms?: number, ...args: unknown[]) => {
        const handle = setTimeout(
          (...a: unknown[]) => {
            this.live.delete(handle);
            (fn as (...a: unknown[]) => void)(...a);
          },
          ms,
          ...args,
        );
        return add("timeout", handle);
      },
      setInterval: (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) =>
        add("interval", setInterval(fn, ms, ...args)),
      setImmediate: (fn: (...a: unknown[]) => void, ...args: unknown[]) => {
        const handle = setImmediate(
          (...a: unknown[]) => {
            this.live.delete(handle);
            fn(...a);
          },
          ...args,
        );
        return add("immediate", handle);
      },
      clearTimeout: (handle: unknown) => this.clear(handle),
      clearInterval: (handle: unknown) => this.clear(handle),
      clearImmediate: (handle: unknown) => this.clear(handle),
    };
  }

  private clear(handle: unknown): void {
    const kind = this.live.get(handle);
    if (kind === undefined) return;
    this.live.delete(handle);
    if (kind === "immediate") clearImmediate(handle as Timer);
    else clearTimeout(handle as Timer);
  }

  clearAll(): void {
    for (const handle of [...this.live.keys()]) this.clear(handle);
  }
}

/** What the worker runtime serves: the app's fetch, and a hook once a request is done. */
export interface FreshContextApp {
  fetch(request: Request): unknown;
  /** The request's response was sent (or it was abandoned): stop what it left running. */
  settled(request: Request): void;
}

/** The default export of one evaluation: `{ fetch }` or a Hono app. */
interface Evaluated {
  fetch(request: Request): unknown;
}

/**
 * Bundles `entry` into one script and returns an app that evaluates it in a new context per
 * request. Throws (as a load error) when the bundle fails or its first evaluation has no `fetch`.
 */
export async function loadFreshContextApp(entry: string): Promise<FreshContextApp> {
  // loaded here, not at the top: importing node:vm costs every other worker about 2 ms of CPU
  const vm = await import("node:vm");
  const built = await Bun.build({ entrypoints: [entry], format: "cjs", target: "bun" });
  const output = built.outputs[0];
  if (!built.success || output === undefined) {
    throw new Error(`bundling ${entry} failed: ${built.logs.map(String).join("; ")}`);
  }
  const script = new vm.Script(await output.text(), { filename: entry });
  const g = globalThis as unknown as Record<string, unknown>;
  const platform = Object.fromEntries(PLATFORM.map((name) => [name, g[name]]));
  if (!hardened) {
    harden([...Object.values(platform), ...intrinsics(), console]);
    hardened = true;
  }
  const env = { ...process.env };
  const running = new WeakMap<Request, ContextTimers>();

  function evaluate(timers: ContextTimers): Evaluated {
    const process = { env: { ...env }, platform: "linux", nextTick: queueMicrotask };
    // the thread's `performance` keeps marks and measures: a context gets the clock only
    const clock = { now: () => performance.now(), timeOrigin: performance.timeOrigin };
    const context = vm.createContext({
      ...platform,
      ...timers.globals(),
      performance: clock,
      console: contextConsole(),
      process,
    });
    const wrapper = script.runInContext(context) as (...args: unknown[]) => void;
    const module = { exports: {} as Record<string, unknown> };
    const require = (name: string) => {
      throw new Error(`${name} cannot be loaded by an app with ephemeral: "context" (it must be bundled)`);
    };
    wrapper.call(module.exports, module.exports, require, module, entry, entry);
    const exported = module.exports as { default?: unknown };
    const app = (exported.default ?? exported) as Partial<Evaluated>;
    if (typeof app?.fetch !== "function")
      throw new Error("the entry must default-export { fetch } or a Hono app");
    return app as Evaluated;
  }

  // fails the load, not the first request, when the entry is wrong
  const probe = new ContextTimers();
  evaluate(probe);
  probe.clearAll();
  return {
    fetch(request) {
      const timers = new ContextTimers();
      running.set(request, timers);
      return evaluate(timers).fetch(request);
    },
    settled(request) {
      running.get(request)?.clearAll();
      running.delete(request);
    },
  };
}
