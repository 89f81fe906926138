import type { ServerWebSocket } from "bun";
import type { AppsService } from "./contracts/apps.ts";
import type { AuthService } from "./contracts/auth.ts";
import type { KernelAdmin, KernelCluster, KernelOrigins, KernelPlugins } from "./contracts/kernel.ts";
import type { KeyValueStore } from "./contracts/keyval.ts";
import type { RateLimiter } from "./contracts/ratelimit.ts";
import type { KernelSchedule } from "./contracts/schedule.ts";
import type { FrameTimings } from "./contracts/shell.ts";
import type { LogFeed } from "./logger.ts";

/**
 * The service registry as plugins see it. Plugins add their services' types by augmenting
 * `Services`:
 *
 * @example
 * declare module "@buntime/sdk" {
 *   interface Services { keyval: KeyValueStore }
 * }
 */

/** The kernel-provided service `kernel:clients`: who is on the other end of a request. */
export interface ClientInfo {
  /**
   * The client's IP address as the kernel's server saw the connection, for a request the server
   * received; undefined for requests made in process.
   */
  address(request: Request): string | undefined;
}

/** The handlers of a WebSocket a plugin takes over; `ws.data` is the `data` given at upgrade. */
export interface SocketHandlers<T> {
  open?(ws: ServerWebSocket<T>): void | Promise<void>;
  message?(ws: ServerWebSocket<T>, message: string | Buffer): void | Promise<void>;
  close?(ws: ServerWebSocket<T>, code: number, reason: string): void | Promise<void>;
  drain?(ws: ServerWebSocket<T>): void | Promise<void>;
}

/** The kernel-provided service `kernel:websockets`: take a request over as a WebSocket. */
export interface WebSocketUpgrades {
  /**
   * Upgrades `request` (as the kernel's server received it, not a copy) to a WebSocket served by
   * `handlers`. Returns the response to return from the plugin's handler (a placeholder: nothing
   * is sent), or undefined when the request cannot be upgraded (not a WebSocket request, or made
   * in process).
   */
  upgrade<T extends object>(
    request: Request,
    handlers: SocketHandlers<T>,
    data: T,
    /** Headers for the 101 answer, e.g. the chosen `sec-websocket-protocol`. */
    headers?: HeadersInit,
  ): Response | undefined;
  /** True once the kernel listens: before that (and in process) nothing can be upgraded. */
  available(): boolean;
}

/**
 * Every typed service: the kernel provides the `kernel:*` ones itself; the others are shared
 * contracts that any plugin may provide (the first-party provider is named beside each).
 */
export interface Services {
  "kernel:logs": LogFeed;
  "kernel:clients": ClientInfo;
  "kernel:websockets": WebSocketUpgrades;
  "kernel:plugins": KernelPlugins;
  "kernel:admin": KernelAdmin;
  "kernel:origins": KernelOrigins;
  "kernel:schedule": KernelSchedule;
  "kernel:cluster": KernelCluster;
  /** `@buntime/plugin-storage` */
  keyval: KeyValueStore;
  /** `@buntime/plugin-router` */
  apps: AppsService;
  /** `@buntime/plugin-auth` */
  auth: AuthService;
  /** `@buntime/plugin-ratelimit` */
  ratelimit: RateLimiter;
  /** `@buntime/shell` */
  "frame-timings": FrameTimings;
}

/** A known service name, or any other string for services without declared types. */
export type ServiceName = keyof Services | (string & {});

/** The type of service `K`: its declared type, or `unknown` when nobody declared it. */
export type ServiceOf<K extends ServiceName> = K extends keyof Services ? Services[K] : unknown;

/** `ctx.services`: provide what the manifest lists in `provides`, get what it lists in `consumes`. */
export interface ServiceAccess {
  /** Registers this plugin's implementation of `name` (declared in `provides`). */
  provide<K extends ServiceName>(name: K, implementation: ServiceOf<K>): void;
  /** Resolves `name` (declared in `consumes`); throws a coded error naming plugin and service otherwise. */
  get<K extends ServiceName>(name: K): ServiceOf<K>;
  /** True when `name` is declared in `consumes` and some loaded plugin provides it. */
  has(name: ServiceName): boolean;
}
