/**
 * Tracing in the default distribution (its `npm start` script, spawned as npm runs it, with the
 * real router, auth and pool), turned on by OTEL_* variables only: an app's request makes one
 * trace from the caller's span through the router's handler to the pool, and the app sees the
 * pool's span as its parent; its console line, in the JSON log shape, names the same trace.
 */
import { describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startDefaultDistribution } from "@buntime/test-kit/distribution";
import { onCleanup, tempDir } from "@buntime/test-kit/fixtures";
import { untilListening } from "@buntime/test-kit/listening";
import { startOtlpReceiver } from "../support/otlp-receiver.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER = "00f067aa0ba902b7";

describe("tracing in the default distribution", () => {
  it("traces an app request from the caller through the router and the pool into the app", async () => {
    const receiver = startOtlpReceiver();
    const home = tempDir();
    mkdirSync(join(home, "apps", "hello"), { recursive: true });
    writeFileSync(
      join(home, "apps", "hello", "index.ts"),
      `export default { fetch: (req) => { console.log("hello app"); return Response.json({ traceparent: req.headers.get("traceparent") }); } };`,
    );
    const child = startDefaultDistribution(home, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url.replace(/\/v1\/traces$/, ""),
      OTEL_SERVICE_NAME: "distro",
      BUNTIME_LOG_FORMAT: "json",
    });
    onCleanup(() => child.kill("SIGKILL"));
    const { url } = await untilListening(child.stdout, 60_000);
    const answer = await fetch(new URL("/hello/x", url), {
      headers: { traceparent: `00-${TRACE}-${CALLER}-01` },
    });
    const seen = (await answer.json()) as { traceparent: string };
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0); // a clean stop sends the queued spans
    const stderr = await new Response(child.stderr).text();

    const spans = receiver.spans.filter((span) => span.traceId === TRACE);
    const named = (name: string) => spans.find((span) => span.name === name);
    const server = named("GET /hello");
    const router = named("fetch @buntime/plugin-router");
    const pool = named("pool hello@0.0.0");
    expect(server?.parentSpanId).toBe(CALLER);
    expect(router?.parentSpanId).toBe(server?.spanId as string);
    expect(pool?.parentSpanId).toBe(router?.spanId as string);
    expect(named("spawn hello@0.0.0")?.parentSpanId).toBe(pool?.spanId as string);
    expect(seen.traceparent).toBe(`00-${TRACE}-${pool?.spanId}-01`);
    expect(server?.resource["service.name"]).toBe("distro");

    const appLine = stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === "hello app");
    expect(appLine).toMatchObject({ ns: "app:hello", app: "hello", traceId: TRACE });
    expect(appLine?.requestId).toBe(answer.headers.get("x-request-id"));
  }, 90_000);
});
