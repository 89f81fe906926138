/** A local OTLP/HTTP (JSON) receiver for tests: collects the spans a kernel exports to it. */
import { onCleanup } from "@buntime/test-kit/fixtures";

/** One received span, with the attributes flattened to a record and its resource beside it. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
  resource: Record<string, unknown>;
  scope: { name: string; version: string };
}

interface AnyValue {
  stringValue?: string;
  intValue?: string;
  doubleValue?: number;
  boolValue?: boolean;
}

function flatten(list: { key: string; value: AnyValue }[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list) {
    out[key] =
      value.stringValue ??
      (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
      value.doubleValue ??
      value.boolValue;
  }
  return out;
}

/** Starts a receiver on a free loopback port; stopped after the test. */
export function startOtlpReceiver(options: { status?: number } = {}) {
  const spans: ReceivedSpan[] = [];
  const requests: { path: string; headers: Headers; contentType: string | null }[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const path = new URL(request.url).pathname;
      requests.push({ path, headers: request.headers, contentType: request.headers.get("content-type") });
      if (options.status !== undefined) return new Response("no", { status: options.status });
      const body = (await request.json()) as {
        resourceSpans: {
          resource: { attributes: { key: string; value: AnyValue }[] };
          scopeSpans: {
            scope: { name: string; version: string };
            spans: (ReceivedSpan & { attributes: never })[];
          }[];
        }[];
      };
      for (const resourceSpans of body.resourceSpans) {
        const resource = flatten(resourceSpans.resource.attributes);
        for (const { scope, spans: list } of resourceSpans.scopeSpans) {
          for (const span of list)
            spans.push({ ...span, attributes: flatten(span.attributes), resource, scope });
        }
      }
      return Response.json({});
    },
  });
  onCleanup(() => server.stop(true));
  return {
    url: `http://127.0.0.1:${server.port}/v1/traces`,
    spans,
    requests,
    /** Waits (at most `ms`) until `count` spans arrived. */
    async waitForSpans(count: number, ms = 5000): Promise<ReceivedSpan[]> {
      const deadline = performance.now() + ms;
      while (spans.length < count && performance.now() < deadline) await Bun.sleep(10);
      return spans;
    },
  };
}
