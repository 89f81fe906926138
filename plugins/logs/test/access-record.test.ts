/**
 * Access lines are kept as a request's figures and made into a line when first read: the line a
 * query, a follower and the JSON get is the documented one, whoever reads it first.
 */
import { describe, expect, it } from "bun:test";
import type { StoredLogEntry } from "@buntime/plugin-logs";
import { LogStore } from "../src/log-store.ts";

const MS = Date.UTC(2026, 11, 6, 12, 0, 0, 123);

describe("an access line recorded from a request's figures", () => {
  it("reads as the documented line, fields in order, the same for a follower, a query and its JSON", () => {
    const store = new LogStore(10, "node-a");
    const followed: [StoredLogEntry, string][] = [];
    store.follow({ namespace: "http" }, (entry, json) => followed.push([entry, json]));
    store.recordAccess(MS, "GET", "/hello@1.2.0/x", 200, 2.66666, "req-1", undefined);
    store.recordAccess(MS + 1, "POST", "/", 503, undefined, "req-2", "4bf92f3577b34da6a3ce929d0e0e4736");
    const { entries } = store.query({ namespace: "http" });
    expect(entries).toEqual([
      {
        seq: 1,
        node: "node-a",
        time: "2026-12-06T12:00:00.123Z",
        level: "info",
        namespace: "http",
        message: "GET /hello@1.2.0/x 200",
        fields: {
          method: "GET",
          path: "/hello@1.2.0/x",
          route: "/hello",
          status: 200,
          durationMs: 2.667,
          requestId: "req-1",
        },
      },
      {
        seq: 2,
        node: "node-a",
        time: "2026-12-06T12:00:00.124Z",
        level: "error",
        namespace: "http",
        message: "POST / 503",
        fields: {
          method: "POST",
          path: "/",
          route: "/",
          status: 503,
          requestId: "req-2",
          traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
        },
      },
    ]);
    expect(followed.map(([entry]) => entry)).toEqual(entries as StoredLogEntry[]);
    expect(followed.map(([, json]) => json)).toEqual(entries.map((entry) => JSON.stringify(entry)));
    expect(Object.keys(entries[0]?.fields ?? {})).toEqual([
      "method",
      "path",
      "route",
      "status",
      "durationMs",
      "requestId",
    ]);
  });

  it("is found by every filter without being read first, and not by filters it fails", () => {
    const store = new LogStore(10, "n");
    store.record({
      time: new Date(MS).toISOString(),
      level: "warn",
      namespace: "plugin:shop",
      message: "low stock",
    });
    store.recordAccess(MS + 5, "GET", "/shop/cart", 200, 1, "r", undefined);
    store.recordAccess(MS + 9, "GET", "/other", 500, 1, "s", undefined);
    const messages = (filter: Parameters<LogStore["query"]>[0]) =>
      store.query(filter).entries.map((entry) => entry.message);
    expect(messages({ app: "shop" })).toEqual(["GET /shop/cart 200"]);
    expect(messages({ after: 2 })).toEqual(["GET /other 500"]);
    expect(messages({ level: "error" })).toEqual(["GET /other 500"]);
    expect(messages({ since: MS + 1, until: MS + 6 })).toEqual(["GET /shop/cart 200"]);
    expect(messages({ namespace: "plugin" })).toEqual(["low stock"]);
    expect(messages({ plugin: "shop" })).toEqual(["low stock"]);
    expect(messages({ text: "cart" })).toEqual(["GET /shop/cart 200"]);
    expect(messages({ text: '"requestid":"s"' })).toEqual(["GET /other 500"]);
  });
});
