import { describe, expect, it, spyOn } from "bun:test";
import { decode, encode, type FunctionToken, isFunctionToken } from "../src/frame/codec.ts";
import { MESSAGE, parseChannelMessage } from "../src/frame/protocol.ts";

describe("the frame codec", () => {
  const tokens: Array<(...args: unknown[]) => unknown> = [];
  const register = (fn: (...args: unknown[]) => unknown): FunctionToken => {
    tokens.push(fn);
    return { __fn: `id-${tokens.length}`, __meta: { name: fn.name } };
  };

  it("turns functions into tokens, keeps cycles and moves transferables", () => {
    const buffer = new ArrayBuffer(8);
    const value: Record<string, unknown> = { save: function save() {}, nested: [1, { buffer }] };
    value.self = value;
    const { value: copy, transfer } = encode(value, register);
    const encoded = copy as Record<string, unknown>;
    expect(encoded.save).toEqual({ __fn: "id-1", __meta: { name: "save" } });
    expect(encoded.self).toBe(encoded);
    expect(transfer).toEqual([buffer]);
    expect(value.save).toBeFunction(); // the original is left alone
  });

  it("refuses values nested deeper than 100 levels", () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 120; i++) deep = deep.next = {};
    expect(() => encode(root, register)).toThrow("nested deeper than 100 levels");
  });

  it("turns tokens back into functions and drops keys that reach prototypes", () => {
    const received = JSON.parse(
      '{"a":{"__fn":"x","__meta":{"name":"a"}},"__proto__":{"polluted":1},"deep":{"constructor":1,"ok":2}}',
    );
    const decoded = decode(received, (token) => () => token.__fn) as Record<string, unknown>;
    expect((decoded.a as () => string)()).toBe("x");
    expect(Object.keys(decoded)).toEqual(["a", "deep"]);
    expect(decoded.deep).toEqual({ ok: 2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("knows a token only by its exact shape", () => {
    expect(isFunctionToken({ __fn: "x", __meta: { name: "f" } })).toBe(true);
    expect(isFunctionToken({ __fn: "x" })).toBe(false);
    expect(isFunctionToken({ __fn: 1, __meta: { name: "f" } })).toBe(false);
    expect(isFunctionToken(null)).toBe(false);
  });
});

describe("the frame wire schemas", () => {
  it("accept each message type in its exact shape", () => {
    expect(parseChannelMessage({ type: MESSAGE.READY })).toEqual({ type: MESSAGE.READY });
    expect(
      parseChannelMessage({ type: MESSAGE.EVENT, name: "route-change", data: { path: "/" } }),
    ).toBeDefined();
    expect(
      parseChannelMessage({ type: MESSAGE.FUNCTION_CALL, callId: "c", fnId: "f", params: [1] }),
    ).toBeDefined();
    expect(parseChannelMessage({ type: MESSAGE.FUNCTION_RELEASE_BATCH, fnIds: ["a", "b"] })).toBeDefined();
  });

  it("refuse anything else", () => {
    const bad = [
      undefined,
      "READY",
      { type: "__NOPE__" },
      { type: MESSAGE.READY, extra: 1 },
      { type: MESSAGE.EVENT, name: "has space", data: 1 },
      { type: MESSAGE.EVENT, name: "x".repeat(129) },
      { type: MESSAGE.PROPS_UPDATE, payload: [] },
      { type: MESSAGE.FUNCTION_CALL, callId: "", fnId: "f", params: [] },
      { type: MESSAGE.FUNCTION_RESPONSE, callId: "c", success: "yes" },
      { type: MESSAGE.FUNCTION_RELEASE_BATCH, fnIds: Array.from({ length: 1001 }, (_, i) => `f${i}`) },
    ];
    const warn = spyOn(console, "warn").mockImplementation(() => {});
    for (const message of bad) expect(parseChannelMessage(message)).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(bad.length); // each drop is reported
    warn.mockRestore();
  });
});
