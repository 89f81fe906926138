/**
 * `<z-frame src pathname sandbox>`: hosts one frame. It creates the iframe, hands it a private
 * MessagePort in INIT (to the `src` origin only, never `*`) on every load, keeps its props in
 * step (attributes and assigned properties), relays events both ways, calls the frame's
 * registered functions, and watches it: no READY or no answer to a ping in time fires
 * `unresponsive`.
 */
import { Channel, type OwnerMessage } from "./channel.ts";
import { EVENT_NAME, LIMITS, MESSAGE } from "./protocol.ts";

type AnyFunction = (...args: unknown[]) => unknown;

const OBSERVED = ["src", "pathname", "sandbox"] as const;
const DEFAULT_SANDBOX = "allow-scripts allow-same-origin allow-forms allow-popups allow-modals";
/** Lower-camelCase names: reading one that is nothing else calls the frame's function of that name. */
const CALLABLE = /^[a-z][a-zA-Z0-9]*$/;
const NEVER_CALLABLE = new Set(["then", "toJSON", "constructor"]);

function numberAttribute(element: HTMLElement, name: string, fallback: number): number {
  const value = Number(element.getAttribute(name));
  return element.hasAttribute(name) && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** The element class; `defineZFrame` registers it as `z-frame`. */
export class ZFrame extends HTMLElement {
  static observedAttributes = [...OBSERVED];

  #iframe: HTMLIFrameElement | undefined;
  #channel: Channel | undefined;
  #ready = false;
  #dynamic = new Map<string, unknown>();
  #childFunctions = new Map<string, AnyFunction>();
  #pendingProps: Record<string, unknown> = {};
  #observer: MutationObserver | undefined;
  #timers: ReturnType<typeof setTimeout>[] = [];
  #pinger: ReturnType<typeof setInterval> | undefined;
  #initSentAt = 0;

  static {
    // unknown properties: assigning one makes a prop, reading a lower-camelCase one calls the frame
    const target = HTMLElement.prototype;
    Object.setPrototypeOf(
      ZFrame.prototype,
      new Proxy(target, {
        get(proto, name, receiver) {
          if (typeof name !== "string" || name in proto || !(receiver instanceof ZFrame))
            return Reflect.get(proto, name, receiver);
          if (receiver.#dynamic.has(name)) return receiver.#dynamic.get(name);
          if (CALLABLE.test(name) && !NEVER_CALLABLE.has(name))
            return (...args: unknown[]) => receiver.call(name, ...args);
          return undefined;
        },
        set(proto, name, value, receiver) {
          if (
            typeof name !== "string" ||
            name.startsWith("_") ||
            name in proto ||
            !(receiver instanceof ZFrame)
          )
            return Reflect.set(proto, name, value, receiver);
          receiver.#dynamic.set(name, value);
          receiver.#update({ [name]: value });
          return true;
        },
      }),
    );
  }

  get src(): string {
    return this.getAttribute("src") ?? "";
  }
  set src(value: string) {
    this.setAttribute("src", value);
  }
  get pathname(): string {
    const value = this.getAttribute("pathname") ?? "/";
    return value.startsWith("/") ? value : `/${value}`;
  }
  set pathname(value: string) {
    this.setAttribute("pathname", value);
  }
  get sandbox(): string {
    return this.getAttribute("sandbox") ?? DEFAULT_SANDBOX;
  }
  set sandbox(value: string) {
    this.setAttribute("sandbox", value);
  }
  get isReady(): boolean {
    return this.#ready;
  }
  /** The iframe, once created (tests and the shell's watchdog tile read it). */
  get iframe(): HTMLIFrameElement | undefined {
    return this.#iframe;
  }

  connectedCallback(): void {
    queueMicrotask(() => {
      if (this.isConnected && !this.#iframe) this.#create();
    });
  }

  disconnectedCallback(): void {
    this.#destroy();
  }

  attributeChangedCallback(name: string, previous: string | null, value: string | null): void {
    if (previous === value || !this.#iframe) return;
    if (name === "pathname") this.#update({ pathname: this.pathname });
    else {
      this.#destroy();
      this.#create();
    }
  }

  /** Sends an event to the frame. */
  emit(name: string, data?: unknown): void {
    if (!EVENT_NAME.test(name))
      throw new Error(`invalid event name ${JSON.stringify(name)}: use letters, digits, _:.-`);
    if (!this.#channel || !this.#ready) {
      this.dispatchEvent(new CustomEvent("message-send-failed", { detail: { name, reason: "not ready" } }));
      return;
    }
    const encoded = this.#channel.encode(data);
    this.#channel.send({ type: MESSAGE.EVENT, name, data: encoded.value }, encoded.transfer);
  }

  /** Calls the function the frame registered as `name`. */
  call(name: string, ...args: unknown[]): Promise<unknown> {
    const fn = this.#childFunctions.get(name);
    if (!fn) return Promise.reject(new Error(`Function '${name}' not registered by child frame`));
    return Promise.resolve(fn(...args));
  }

  #create(): void {
    const src = this.src;
    const origin = URL.parse(src, location.href)?.origin;
    if (!src || !origin) {
      this.#fail("invalid-src", `z-frame needs a valid src, got ${JSON.stringify(src)}`);
      return;
    }
    const iframe = document.createElement("iframe");
    iframe.style.cssText = "border:0;display:block;width:100%;height:100%";
    iframe.setAttribute("sandbox", this.sandbox);
    iframe.src = src.replace(/\/+$/, "") + this.pathname;
    iframe.addEventListener("load", () => this.#handshake(iframe, origin));
    this.#iframe = iframe;
    const style = document.createElement("style");
    style.textContent = ":host{display:block}"; // a block, so a height (auto or the host's) applies
    (this.shadowRoot ?? this.attachShadow({ mode: "open" })).replaceChildren(style, iframe);
    this.#after(numberAttribute(this, "load-timeout", LIMITS.loadTimeout), () => {
      if (!this.#channel) this.#fail("load-timeout", "the frame did not load in time");
    });
    this.#observer = new MutationObserver((records) => {
      const changed: Record<string, unknown> = {};
      for (const { attributeName } of records) {
        if (attributeName && !(OBSERVED as readonly string[]).includes(attributeName))
          changed[attributeName] = this.getAttribute(attributeName) ?? undefined;
      }
      if (Object.keys(changed).length > 0) this.#update(changed);
    });
    this.#observer.observe(this, { attributes: true });
  }

  #props(): Record<string, unknown> {
    const props: Record<string, unknown> = { pathname: this.pathname, sandbox: this.sandbox, src: this.src };
    for (const { name, value } of this.attributes) if (!(name in props)) props[name] = value;
    for (const [name, value] of this.#dynamic) props[name] = value;
    return props;
  }

  #handshake(iframe: HTMLIFrameElement, origin: string): void {
    if (iframe !== this.#iframe || !iframe.contentWindow) return;
    this.#channel?.close(); // the frame reloaded: its old port is gone
    this.#ready = false;
    this.#childFunctions.clear();
    const { port1, port2 } = new MessageChannel();
    const channel = new Channel(port1, (message) => this.#receive(channel, message));
    this.#channel = channel;
    this.#pendingProps = {};
    const payload = channel.encode(this.#props());
    this.#initSentAt = performance.now();
    iframe.contentWindow.postMessage({ type: MESSAGE.INIT, payload: payload.value }, origin, [
      port2,
      ...payload.transfer,
    ]);
    this.#after(numberAttribute(this, "init-timeout", LIMITS.initTimeout), () => {
      if (this.#channel === channel && !this.#ready)
        this.#fail("init-timeout", "the frame did not answer INIT in time");
    });
  }

  #receive(channel: Channel, message: OwnerMessage): void {
    if (channel !== this.#channel) return;
    if (message.type === MESSAGE.READY) {
      this.#ready = true;
      const pending = this.#pendingProps;
      this.#pendingProps = {};
      if (Object.keys(pending).length > 0) this.#update(pending);
      this.#startPings(channel);
      this.#dispatch("ready", { initToReady: performance.now() - this.#initSentAt });
    } else if (message.type === MESSAGE.CUSTOM_EVENT) {
      const { name } = message.payload;
      const data = channel.decode(message.payload.data);
      if (name === "register" && typeof data === "object" && data !== null) {
        for (const [key, fn] of Object.entries(data))
          if (typeof fn === "function") this.#childFunctions.set(key, fn);
      } else if (name === "unregister") {
        const names = (data as { functions?: unknown } | null)?.functions;
        if (Array.isArray(names)) for (const key of names) this.#childFunctions.delete(String(key));
      } else if (name === "resize") this.#resize(data);
      this.#dispatch(name, data);
    }
  }

  /** Auto height (attribute `auto-height`): the frame's content height, clamped to `min-height`..`max-height`. */
  #resize(data: unknown): void {
    const height = Number((data as { height?: unknown } | null)?.height);
    if (!this.hasAttribute("auto-height") || !Number.isFinite(height)) return;
    const min = numberAttribute(this, "min-height", 0);
    const max = numberAttribute(this, "max-height", 4000);
    this.style.height = `${Math.min(Math.max(height, min), max)}px`;
  }

  #dispatch(name: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
    const handler = this.#dynamic.get(`on${name.replace(/[:.-]/g, "")}`);
    if (typeof handler === "function") handler(detail);
  }

  #update(changes: Record<string, unknown>): void {
    const channel = this.#channel;
    if (!channel || !this.#ready) {
      Object.assign(this.#pendingProps, changes);
      return;
    }
    const encoded = channel.encode(changes);
    channel.send(
      { type: MESSAGE.PROPS_UPDATE, payload: encoded.value as Record<string, unknown> },
      encoded.transfer,
    );
  }

  #startPings(channel: Channel): void {
    clearInterval(this.#pinger);
    const every = numberAttribute(this, "ping-interval", 5000);
    if (every === 0) return;
    const timeout = numberAttribute(this, "ping-timeout", 3000);
    this.#pinger = setInterval(async () => {
      if (!(await channel.ping(timeout)) && channel === this.#channel) {
        clearInterval(this.#pinger);
        this.#fail("ping-timeout", "the frame stopped answering");
      }
    }, every);
  }

  #fail(reason: string, message: string): void {
    this.#dispatch("error", { reason, message });
    if (reason.endsWith("timeout")) this.#dispatch("unresponsive", { reason, message });
  }

  #after(ms: number, run: () => void): void {
    this.#timers.push(setTimeout(run, ms));
  }

  #destroy(): void {
    clearInterval(this.#pinger);
    for (const timer of this.#timers.splice(0)) clearTimeout(timer);
    this.#observer?.disconnect();
    this.#channel?.close();
    this.#channel = undefined;
    this.#ready = false;
    this.#childFunctions.clear();
    this.#iframe?.remove();
    this.#iframe = undefined;
  }
}

/** Registers `<z-frame>` once. */
export function defineZFrame(): void {
  if (!customElements.get("z-frame")) customElements.define("z-frame", ZFrame);
}
