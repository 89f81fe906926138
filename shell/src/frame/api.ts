/**
 * The public shape of the frame protocol, as apps see it: `frameSDK` inside a frame and the
 * `<z-frame>` element in a host. Types only (no imports, no code): the shell serves this file
 * as `/shell/frame.d.ts`, so an app's editor can type `window.frameSDK`.
 */

/** Props a frame gets: the element's attributes, its assigned properties and the shell's standard ones. */
export interface FrameProps {
  /** The path inside the frame's base, starting with `/`. */
  pathname?: string;
  /** `light` or `dark` (the shell also sets the CSS variables of `theme.css` in the frame). */
  theme?: "light" | "dark";
  /** A BCP 47 language tag such as `en` or `pt-BR`. */
  locale?: string;
  /** `comfortable` or `compact`. */
  density?: "comfortable" | "compact";
  [name: string]: unknown;
}

/** Undoes what a call set up (a listener, a watcher, a registration). */
export type Dispose = () => void;

/** The changes of one props update: for each prop, `[newValue, oldValue]`. */
export type PropChanges = Record<string, [unknown, unknown]>;

/** The SDK inside a frame (`window.frameSDK`, or the `frameSDK` export of `/shell/frame.js`). */
export interface FrameSDK {
  /**
   * Waits for the host's INIT and answers READY. Only an INIT from the parent window whose
   * origin is in `expectedOrigin` (default: this frame's own origin; `"*"` accepts any) counts;
   * others are dropped. Rejects after `timeout` ms (the frame then runs standalone).
   */
  initialize(expectedOrigin?: string | readonly string[], timeout?: number): Promise<void>;
  /** True once INIT arrived. */
  readonly isInitialized: boolean;
  /** True when the frame runs outside any host (INIT never came). */
  readonly isStandalone: boolean;
  /** The live props. */
  readonly props: FrameProps;
  /**
   * Sends an event to the host. The shell knows `navigate {path, replace}` and `sign-in` (send it
   * when a page or API call got 401: the shell takes the window to sign-in and back here).
   */
  emit(name: string, data?: unknown): void;
  /** Listens to an event from the host; events sent before the first listener are replayed to it. */
  on(name: string, handler: (data: unknown) => void): Dispose;
  off(name: string, handler: (data: unknown) => void): void;
  /** Lets the host call `fn` as `frame.<name>(...)`; returns a function that takes it back. */
  register(name: string, fn: (...args: never[]) => unknown): Dispose;
  register(functions: Record<string, (...args: never[]) => unknown>): Dispose;
  /** Runs `handler` after props change (all props, or the named ones). */
  watch(handler: (changes: PropChanges) => void): Dispose;
  watch(props: readonly string[], handler: (changes: PropChanges) => void): Dispose;
  /**
   * Goes to `path` (relative to the frame's base). In a shell, the shell records it in the
   * browser's history (one entry per navigation, never two); standalone, it is pushed here.
   */
  navigate(path: string, options?: { replace?: boolean; state?: unknown }): void;
  /**
   * Renders routes in place: `handler` gets each path the shell asks for (Back, Forward, a menu
   * click). Without one, a path change reloads the frame at the new address (without a history entry).
   */
  onRoute(handler: (path: string) => void): Dispose;
  /** Lets the host forget a function it shared with this frame (`frameSDK.props.x`). */
  release(fn: (...args: never[]) => unknown): void;
  /** Overlays drawn by the shell above every frame (plain browser dialogs when standalone). */
  readonly ui: {
    toast(message: string, options?: { kind?: "info" | "success" | "error" }): void;
    confirm(message: string): Promise<boolean>;
  };
  /** Closes the channel and forgets listeners and registrations. */
  cleanup(): void;
}

/** The `<z-frame src pathname sandbox>` element of a host page. */
export interface ZFrameElement extends HTMLElement {
  src: string;
  pathname: string;
  sandbox: string;
  /** True between READY and the next reload. */
  readonly isReady: boolean;
  /** Sends an event to the frame (`frameSDK.on(name)`). */
  emit(name: string, data?: unknown): void;
  /** Calls a function the frame registered; rejects when it did not or after 5 s. */
  call(name: string, ...args: unknown[]): Promise<unknown>;
  /** Any other lower-camelCase property: a prop when assigned, a call of the frame's function when read. */
  [name: string]: unknown;
}

declare global {
  interface Window {
    frameSDK: FrameSDK;
  }
  interface HTMLElementTagNameMap {
    "z-frame": ZFrameElement;
  }
}
