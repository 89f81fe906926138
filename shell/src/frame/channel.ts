/**
 * One side of an open frame channel (a MessagePort): validates every message, runs the function
 * calls of both directions (ids, timeouts, release) and answers pings; other messages go to
 * `onMessage`. Both `<z-frame>` and `frameSDK` use it, so the two sides cannot drift apart.
 */
import { decode, encode, type FunctionToken } from "./codec.ts";
import { type ChannelMessage, LIMITS, MESSAGE, parseChannelMessage } from "./protocol.ts";

type AnyFunction = (...args: unknown[]) => unknown;

/** A message `Channel` leaves to its owner (props, events, READY). */
export type OwnerMessage = Exclude<
  ChannelMessage,
  {
    type:
      | "__FUNCTION_CALL__"
      | "__FUNCTION_RESPONSE__"
      | "__FUNCTION_RELEASE__"
      | "__FUNCTION_RELEASE_BATCH__";
  }
>;

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** The wrapper of one MessagePort. */
export class Channel {
  readonly #port: MessagePort;
  readonly #onMessage: (message: OwnerMessage) => void;
  readonly #local = new Map<string, AnyFunction>();
  readonly #localIds = new WeakMap<AnyFunction, string>();
  readonly #remote = new Map<string, WeakRef<AnyFunction>>();
  readonly #pending = new Map<string, PendingCall>();
  readonly #finalizer = new FinalizationRegistry<string>((fnId) => this.#releaseRemote(fnId));
  #closed = false;

  constructor(port: MessagePort, onMessage: (message: OwnerMessage) => void) {
    this.#port = port;
    this.#onMessage = onMessage;
    port.onmessage = (event) => this.#receive(event.data);
    port.start();
  }

  /** Encodes `value` (functions become tokens) and returns it with its transferables. */
  encode(value: unknown): { value: unknown; transfer: Transferable[] } {
    return encode(value, (fn) => this.#register(fn));
  }

  /** Replaces the tokens in a received value with callable proxies. */
  decode(value: unknown): unknown {
    return decode(value, (token) => this.#proxy(token));
  }

  /** Sends a message whose payload fields were already encoded. */
  send(message: ChannelMessage, transfer: Transferable[] = []): boolean {
    if (this.#closed) return false;
    try {
      this.#port.postMessage(message, transfer);
      return true;
    } catch (error) {
      console.warn("[frame] could not send", message.type, error);
      return false;
    }
  }

  /** Asks the other side to answer within `timeout` ms; resolves false when it does not. */
  ping(timeout: number): Promise<boolean> {
    const id = crypto.randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(false);
      }, timeout);
      this.#pending.set(id, { resolve: () => resolve(true), reject: () => resolve(false), timer });
      this.send({ type: MESSAGE.PING, id });
    });
  }

  /** Tells the other side it may forget the function behind `proxy` (a proxy this side received). */
  release(proxy: AnyFunction): void {
    for (const [fnId, ref] of this.#remote) if (ref.deref() === proxy) this.#releaseRemote(fnId);
  }

  /** Releases every function proxy this side holds, fails calls in flight and closes the port. */
  close(): void {
    if (this.#closed) return;
    const fnIds = [...this.#remote.keys()];
    if (fnIds.length > 0) this.send({ type: MESSAGE.FUNCTION_RELEASE_BATCH, fnIds });
    this.#closed = true;
    for (const [callId, call] of this.#pending) {
      clearTimeout(call.timer);
      call.reject(new Error("the frame channel closed"));
      this.#pending.delete(callId);
    }
    this.#remote.clear();
    this.#local.clear();
    this.#port.onmessage = null;
    this.#port.close();
  }

  /** How many functions of this side the other side may call (for tests and limits). */
  get localFunctions(): number {
    return this.#local.size;
  }

  #register(fn: AnyFunction): FunctionToken {
    const known = this.#localIds.get(fn);
    if (known !== undefined && this.#local.has(known)) return { __fn: known, __meta: { name: fn.name } };
    if (this.#local.size >= LIMITS.maxFunctions)
      throw new Error(`more than ${LIMITS.maxFunctions} functions shared over one frame channel`);
    const fnId = crypto.randomUUID();
    this.#local.set(fnId, fn);
    this.#localIds.set(fn, fnId);
    return { __fn: fnId, __meta: { name: fn.name } };
  }

  #proxy(token: FunctionToken): AnyFunction {
    const existing = this.#remote.get(token.__fn)?.deref();
    if (existing) return existing;
    const proxy = (...params: unknown[]) => this.#call(token.__fn, token.__meta.name, params);
    this.#remote.set(token.__fn, new WeakRef(proxy));
    this.#finalizer.register(proxy, token.__fn);
    return proxy;
  }

  #call(fnId: string, name: string, params: unknown[]): Promise<unknown> {
    if (this.#closed) return Promise.reject(new Error(`cannot call '${name}': the frame channel closed`));
    const callId = crypto.randomUUID();
    const encoded = this.encode(params);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(callId);
        reject(new Error(`call to '${name}' timed out after ${LIMITS.callTimeout} ms`));
      }, LIMITS.callTimeout);
      this.#pending.set(callId, { resolve, reject, timer });
      const sent = this.send(
        { type: MESSAGE.FUNCTION_CALL, callId, fnId, params: encoded.value as unknown[] },
        encoded.transfer,
      );
      if (!sent)
        this.#settle(callId, false, undefined, `cannot call '${name}': the message could not be sent`);
    });
  }

  #releaseRemote(fnId: string): void {
    if (!this.#remote.delete(fnId)) return;
    this.send({ type: MESSAGE.FUNCTION_RELEASE, fnId });
  }

  #settle(callId: string, success: boolean, result: unknown, error: string | undefined): void {
    const call = this.#pending.get(callId);
    if (!call) return; // timed out already, or an answer nobody asked for
    this.#pending.delete(callId);
    clearTimeout(call.timer);
    if (success) call.resolve(this.decode(result));
    else call.reject(new Error(error ?? "the call failed"));
  }

  async #answer(callId: string, fnId: string, params: unknown[]): Promise<void> {
    const fn = this.#local.get(fnId);
    let response: ChannelMessage;
    let transfer: Transferable[] = [];
    try {
      if (!fn) throw new Error("function not found (released, or never shared)");
      const encoded = this.encode(await fn(...(this.decode(params) as unknown[])));
      response = { type: MESSAGE.FUNCTION_RESPONSE, callId, success: true, result: encoded.value };
      transfer = encoded.transfer;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      response = { type: MESSAGE.FUNCTION_RESPONSE, callId, success: false, error: text };
    }
    this.send(response, transfer);
  }

  #receive(data: unknown): void {
    const message = parseChannelMessage(data);
    if (!message || this.#closed) return;
    switch (message.type) {
      case MESSAGE.FUNCTION_CALL:
        void this.#answer(message.callId, message.fnId, message.params);
        return;
      case MESSAGE.FUNCTION_RESPONSE:
        this.#settle(message.callId, message.success, message.result, message.error);
        return;
      case MESSAGE.FUNCTION_RELEASE:
        this.#local.delete(message.fnId);
        return;
      case MESSAGE.FUNCTION_RELEASE_BATCH:
        for (const fnId of message.fnIds) this.#local.delete(fnId);
        return;
      case MESSAGE.PING:
        this.send({ type: MESSAGE.PONG, id: message.id });
        return;
      case MESSAGE.PONG:
        this.#settle(message.id, true, undefined, undefined);
        return;
      default:
        this.#onMessage(message);
    }
  }
}
