/**
 * Encoding of values that cross the channel: functions become `{__fn, __meta}` tokens (the
 * receiver gets a proxy that calls back), cycles are kept, transferables are moved rather than
 * copied, and nesting deeper than `LIMITS.maxDepth` is refused.
 */
import { LIMITS } from "./protocol.ts";

/** A function as it travels: its id in the sender's registry and its name. */
export interface FunctionToken {
  readonly __fn: string;
  readonly __meta: { readonly name: string };
}

/** Keys never copied from a received object, so nothing reaches a prototype. */
const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || Array.isArray(value);
}

function isTransferable(value: object): value is Transferable {
  const kinds = [
    globalThis.ArrayBuffer,
    globalThis.MessagePort,
    globalThis.ReadableStream,
    globalThis.WritableStream,
    globalThis.TransformStream,
    globalThis.ImageBitmap,
    globalThis.OffscreenCanvas,
  ];
  return kinds.some((kind) => kind !== undefined && value instanceof kind);
}

/** True for a function token (and nothing else). */
export function isFunctionToken(value: unknown): value is FunctionToken {
  if (typeof value !== "object" || value === null) return false;
  const token = value as Record<string, unknown>;
  const meta = token.__meta as Record<string, unknown> | undefined;
  return (
    typeof token.__fn === "string" &&
    typeof meta === "object" &&
    meta !== null &&
    typeof meta.name === "string"
  );
}

/**
 * Copies `value` for `postMessage`: each function is replaced by the token `register` returns
 * for it. Returns the copy and the transferables found in it.
 */
export function encode(
  value: unknown,
  register: (fn: (...args: unknown[]) => unknown) => FunctionToken,
): { value: unknown; transfer: Transferable[] } {
  const transfer: Transferable[] = [];
  const copies = new Map<object, unknown>();
  function walk(current: unknown, depth: number): unknown {
    if (typeof current === "function") return register(current as (...args: unknown[]) => unknown);
    if (typeof current !== "object" || current === null) return current;
    if (depth > LIMITS.maxDepth) throw new Error(`value nested deeper than ${LIMITS.maxDepth} levels`);
    if (copies.has(current)) return copies.get(current);
    if (isTransferable(current)) {
      if (!transfer.includes(current)) transfer.push(current);
      return current;
    }
    if (!isPlain(current)) return current; // Date, Map, typed arrays...: structured clone copies them
    const copy: Record<string, unknown> | unknown[] = Array.isArray(current) ? [] : {};
    copies.set(current, copy);
    for (const [key, item] of Object.entries(current)) {
      (copy as Record<string, unknown>)[key] = walk(item, depth + 1);
    }
    return copy;
  }
  return { value: walk(value, 0), transfer };
}

/**
 * Turns received tokens back into functions (`proxy` makes them) in place; drops
 * prototype-polluting keys. Cycles are followed once.
 */
export function decode(
  value: unknown,
  proxy: (token: FunctionToken) => (...args: unknown[]) => unknown,
): unknown {
  const seen = new Set<object>();
  function walk(current: unknown, depth: number): unknown {
    if (isFunctionToken(current)) return proxy(current);
    if (typeof current !== "object" || current === null || seen.has(current)) return current;
    if (depth > LIMITS.maxDepth || !isPlain(current)) return current;
    seen.add(current);
    const target = current as Record<string, unknown>;
    for (const key of Object.keys(target)) {
      if (UNSAFE_KEYS.has(key)) delete target[key];
      else target[key] = walk(target[key], depth + 1);
    }
    return current;
  }
  return walk(value, 0);
}
