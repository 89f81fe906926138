import { describe, expect, it } from "bun:test";
import { routeLabelOf } from "@buntime/sdk";
import { HttpMetrics } from "../src/http-metrics.ts";
import { isRouteOf } from "../src/route-label.ts";

const PATHS = [
  "/",
  "/hello",
  "/hello/",
  "/hello/x/y",
  "/hello@1.2.0/x",
  "/hello@^1",
  "/helloworld",
  "/hell",
  "/hel@lo/x",
  "//x",
  "/@x",
  "/a",
  "/a/",
  "/ab",
];

describe("isRouteOf", () => {
  // the metrics plugin's shortcut for a request of the same route as the one before: it must agree with routeLabelOf everywhere
  it.each(PATHS)("agrees with routeLabelOf for %s against every route", (path) => {
    for (const route of new Set(PATHS.map(routeLabelOf))) {
      expect(isRouteOf(path, route)).toBe(routeLabelOf(path) === route);
    }
  });
});

describe("HttpMetrics' series of the request before", () => {
  it("counts each answer under its own route and method, whatever came just before", () => {
    const http = new HttpMetrics({ maxRoutes: 4 });
    const answer = (method: string, pathname: string, status: number) => {
      const context = { requestId: "r", pathname, locals: {}, clientAddress: () => undefined };
      http.arrived(context);
      http.answered(new Response(null, { status }), new Request(`http://x${pathname}`, { method }), context);
    };
    answer("GET", "/a", 200);
    answer("GET", "/a/x", 200);
    answer("POST", "/a/x", 200);
    answer("GET", "/a@2/x", 500);
    answer("GET", "/ab", 200);
    answer("GET", "/b/probe", 404); // a 404 on a route never answered: other
    answer("GET", "/b", 200); // now /b has a label of its own
    answer("GET", "/b/gone", 404);
    answer("GET", "/c", 200); // past maxRoutes: other
    answer("GET", "/c/x", 200);
    const counts = [...http.series()].map((series) => [
      series.route,
      series.method,
      Object.fromEntries(series.statuses),
    ]);
    expect(counts).toEqual([
      ["/a", "GET", { 200: 2, 500: 1 }],
      ["/a", "POST", { 200: 1 }],
      ["/ab", "GET", { 200: 1 }],
      ["other", "GET", { 404: 1, 200: 2 }],
      ["/b", "GET", { 200: 1, 404: 1 }],
    ]);
    expect(http.inFlight).toBe(0);
  });
});
