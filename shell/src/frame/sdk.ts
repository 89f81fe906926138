/**
 * `frameSDK`, the in-frame half of the protocol: waits for the host's INIT (only from the parent
 * window and an expected origin), answers READY over the transferred port, keeps the props live,
 * carries events both ways, shares functions, and keeps routes in step with the shell.
 */
import type { Dispose, FrameProps, FrameSDK, PropChanges } from "./api.ts";
import { applyAppearance } from "./appearance.ts";
import { Channel, type OwnerMessage } from "./channel.ts";
import { EVENT_NAME, initMessageSchema, LIMITS, MESSAGE } from "./protocol.ts";

type Handler = (data: unknown) => void;
type AnyFunction = (...args: never[]) => unknown;

const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** Events kept per name until a listener comes, and events kept before INIT. */
const MAX_BUFFERED = 100;

function checkName(name: string): void {
  if (!EVENT_NAME.test(name))
    throw new Error(`invalid event name ${JSON.stringify(name)}: use letters, digits, _:.-`);
}

/** Creates an SDK bound to `window` (the bundle makes the one `frameSDK`). */
export function createFrameSDK(): FrameSDK {
  const props: FrameProps = {};
  const listeners = new Map<string, Set<Handler>>();
  const buffered = new Map<string, unknown[]>();
  const watchers = new Set<{ keys?: readonly string[]; handler: (changes: PropChanges) => void }>();
  const early: { name: string; data: unknown }[] = [];
  let channel: Channel | undefined;
  let starting: Promise<void> | undefined;
  let standalone = false;
  let routeHandler: ((path: string) => void) | undefined;

  /** The frame's base path (`src`'s path, no trailing slash), or the first segment standalone. */
  function base(): string {
    if (typeof props.src === "string") {
      const parsed = URL.parse(props.src, location.href);
      if (parsed) return parsed.pathname.replace(/\/+$/, "");
    }
    const first = location.pathname.split("/")[1];
    return first ? `/${first}` : "";
  }

  function send(name: string, data: unknown): void {
    if (!channel) {
      if (!standalone && early.length < MAX_BUFFERED) early.push({ name, data });
      return;
    }
    const encoded = channel.encode(data);
    channel.send({ type: MESSAGE.CUSTOM_EVENT, payload: { name, data: encoded.value } }, encoded.transfer);
  }

  function deliver(name: string, data: unknown): void {
    const handlers = listeners.get(name);
    if (!handlers || handlers.size === 0) {
      const queue = buffered.get(name) ?? [];
      if (queue.length < MAX_BUFFERED) queue.push(data);
      buffered.set(name, queue);
      return;
    }
    for (const handler of [...handlers]) {
      try {
        handler(data);
      } catch (error) {
        console.error(`[frame] a handler of '${name}' threw`, error);
      }
    }
  }

  /** Shows `path` (relative to the base): in place when the app renders routes, else by reloading. */
  function show(path: string, replace: boolean, state?: unknown): void {
    const target = `${base()}${path.startsWith("/") ? path : `/${path}`}`;
    if (routeHandler) {
      if (replace) history.replaceState(state ?? null, "", target);
      else history.pushState(state ?? null, "", target);
      routeHandler(path);
    } else if (location.pathname + location.search !== target) {
      if (replace) location.replace(target);
      else location.assign(target);
    }
  }

  function updateProps(payload: Record<string, unknown>): void {
    const changes: PropChanges = {};
    for (const [key, value] of Object.entries(payload)) {
      if (UNSAFE_KEYS.has(key)) continue;
      if (props[key] !== value) changes[key] = [value, props[key]];
      props[key] = value;
    }
    applyAppearance(document.documentElement, props);
    const pathname = changes.pathname?.[0];
    if (typeof pathname === "string") show(pathname, true); // the shell records history, never the frame
    for (const { keys, handler } of [...watchers]) {
      const picked = keys
        ? Object.fromEntries(Object.entries(changes).filter(([key]) => keys.includes(key)))
        : changes;
      if (Object.keys(picked).length > 0) handler(picked);
    }
  }

  function onMessage(message: OwnerMessage): void {
    if (message.type === MESSAGE.PROPS_UPDATE) {
      updateProps(channel?.decode(message.payload) as Record<string, unknown>);
    } else if (message.type === MESSAGE.EVENT) {
      deliver(message.name, channel?.decode(message.data));
    }
  }

  function watchHeight(): void {
    if (props["auto-height"] === undefined && props.autoHeight === undefined) return;
    let last = -1;
    new ResizeObserver(() => {
      const height = Math.ceil(document.documentElement.scrollHeight);
      if (height === last) return;
      last = height;
      send("resize", { height });
    }).observe(document.documentElement);
  }

  /**
   * In a shell, a plain link to another page of this frame becomes `navigate`, so the shell
   * records it (a page that renders routes itself prevents the click first and is left alone).
   */
  function followLinks(event: MouseEvent): void {
    if (!channel || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element | null)?.closest?.("a[href]") as HTMLAnchorElement | null;
    if (!link || (link.target && link.target !== "_self") || link.hasAttribute("download")) return;
    const url = new URL(link.href);
    const prefix = base();
    if (url.origin !== location.origin || (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)))
      return;
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return; // same page
    event.preventDefault();
    sdk.navigate((url.pathname.slice(prefix.length) || "/") + url.search);
  }

  function accept(port: MessagePort, payload: Record<string, unknown>): void {
    channel = new Channel(port, onMessage);
    Object.assign(
      props,
      Object.fromEntries(
        Object.entries(channel.decode(payload) as object).filter(([k]) => !UNSAFE_KEYS.has(k)),
      ),
    );
    applyAppearance(document.documentElement, props);
    channel.send({ type: MESSAGE.READY });
    for (const { name, data } of early.splice(0)) send(name, data);
    addEventListener("pagehide", () => sdk.cleanup(), { once: true });
    document.addEventListener("click", followLinks);
    watchHeight();
  }

  function originAllowed(origin: string, expected: string | readonly string[]): boolean {
    const allowed = typeof expected === "string" ? [expected] : expected;
    return allowed.includes("*") || allowed.includes(origin);
  }

  const sdk: FrameSDK = {
    props,
    get isInitialized() {
      return channel !== undefined;
    },
    get isStandalone() {
      return standalone;
    },
    initialize(expectedOrigin = location.origin, timeout = LIMITS.initTimeout) {
      if (starting) return starting;
      if (window.parent === window) {
        standalone = true; // a top-level page has no host to wait for
        early.length = 0;
        starting = Promise.reject(new Error("not in a frame: running standalone"));
        return starting;
      }
      starting = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          removeEventListener("message", listen);
          standalone = true;
          early.length = 0;
          reject(new Error(`no INIT from a host within ${timeout} ms: running standalone`));
        }, timeout);
        function listen(event: MessageEvent): void {
          if (event.source !== window.parent || window.parent === window) return; // not from our host
          const init = initMessageSchema.safeParse(event.data);
          if (!init.success) return;
          const port = event.ports[0];
          if (!originAllowed(event.origin, expectedOrigin) || !port) {
            console.warn(
              `[frame] dropped an INIT from ${event.origin}${port ? "" : " without a MessagePort"}`,
            );
            return;
          }
          clearTimeout(timer);
          removeEventListener("message", listen);
          accept(port, init.data.payload);
          resolve();
        }
        addEventListener("message", listen);
      });
      return starting;
    },
    emit(name, data) {
      checkName(name);
      send(name, data);
    },
    on(name, handler) {
      checkName(name);
      const handlers = listeners.get(name) ?? new Set();
      handlers.add(handler);
      listeners.set(name, handlers);
      const queue = buffered.get(name);
      if (queue) {
        buffered.delete(name);
        for (const data of queue) deliver(name, data);
      }
      return () => sdk.off(name, handler);
    },
    off(name, handler) {
      listeners.get(name)?.delete(handler);
    },
    register(nameOrFunctions: string | Record<string, AnyFunction>, fn?: AnyFunction): Dispose {
      const functions = typeof nameOrFunctions === "string" ? { [nameOrFunctions]: fn } : nameOrFunctions;
      for (const [name, value] of Object.entries(functions)) {
        if (typeof value !== "function") throw new Error(`register: '${name}' is not a function`);
      }
      send("register", functions);
      return () => send("unregister", { functions: Object.keys(functions) });
    },
    watch(
      keysOrHandler: readonly string[] | ((changes: PropChanges) => void),
      handler?: (changes: PropChanges) => void,
    ) {
      const watcher =
        typeof keysOrHandler === "function"
          ? { handler: keysOrHandler }
          : { keys: keysOrHandler, handler: handler as (changes: PropChanges) => void };
      watchers.add(watcher);
      return () => watchers.delete(watcher);
    },
    navigate(path, options = {}) {
      if (channel) send("navigate", { path, replace: options.replace === true, state: options.state });
      else show(path, options.replace === true, options.state);
    },
    onRoute(handler) {
      routeHandler = handler;
      return () => {
        if (routeHandler === handler) routeHandler = undefined;
      };
    },
    release(fn) {
      channel?.release(fn as (...args: unknown[]) => unknown);
    },
    ui: {
      toast(message, options = {}) {
        const shellUi = props.shellUi as { toast?: AnyFunction } | undefined;
        if (typeof shellUi?.toast === "function")
          void (shellUi.toast as (...a: unknown[]) => unknown)(message, options);
        else console.info(`[${options.kind ?? "info"}] ${message}`);
      },
      async confirm(message) {
        const shellUi = props.shellUi as { confirm?: AnyFunction } | undefined;
        if (typeof shellUi?.confirm === "function")
          return (await (shellUi.confirm as (m: string) => unknown)(message)) === true;
        return window.confirm(message);
      },
    },
    cleanup() {
      channel?.close();
      channel = undefined;
      listeners.clear();
      buffered.clear();
      watchers.clear();
      routeHandler = undefined;
    },
  };
  return sdk;
}
