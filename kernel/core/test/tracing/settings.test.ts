import { describe, expect, it } from "bun:test";
import { resolveTracing } from "../../src/tracing/settings.ts";

describe("tracing settings from config and OTEL_* variables", () => {
  it("is off without an endpoint, and when the SDK or the exporter is disabled", () => {
    expect(resolveTracing(undefined, {})).toBeUndefined();
    expect(resolveTracing({ serviceName: "x" }, {})).toBeUndefined();
    const url = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" };
    expect(resolveTracing(undefined, { ...url, OTEL_SDK_DISABLED: "true" })).toBeUndefined();
    expect(resolveTracing(undefined, { ...url, OTEL_TRACES_EXPORTER: "none" })).toBeUndefined();
  });

  it("reads the variables as OpenTelemetry documents them", () => {
    expect(
      resolveTracing(undefined, {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/",
        OTEL_EXPORTER_OTLP_HEADERS: "api-key=a%20b,x-tenant=shop",
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-tenant=traces",
        OTEL_SERVICE_NAME: "shop",
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "0.25",
        OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=prod",
      }),
    ).toEqual({
      url: "http://collector:4318/v1/traces",
      headers: { "api-key": "a b", "x-tenant": "traces" },
      serviceName: "shop",
      sampleRatio: 0.25,
      maxTracesPerSecond: 100,
      resource: { "deployment.environment": "prod" },
      batch: {},
    });
    const own = resolveTracing(undefined, {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://ignored:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/custom/path",
      OTEL_TRACES_SAMPLER: "always_off",
    });
    expect(own).toMatchObject({
      url: "http://collector:4318/custom/path",
      sampleRatio: 0,
      serviceName: "buntime",
    });
  });

  it("limits new traces to 100 a second unless told otherwise, config winning over the variable", () => {
    const url = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" };
    expect(resolveTracing(undefined, url)?.maxTracesPerSecond).toBe(100);
    expect(
      resolveTracing(undefined, { ...url, BUNTIME_MAX_TRACES_PER_SECOND: "20" })?.maxTracesPerSecond,
    ).toBe(20);
    expect(
      resolveTracing(undefined, { ...url, BUNTIME_MAX_TRACES_PER_SECOND: "unlimited" })?.maxTracesPerSecond,
    ).toBeUndefined();
    expect(
      resolveTracing({ maxTracesPerSecond: "unlimited" }, { ...url, BUNTIME_MAX_TRACES_PER_SECOND: "5" })
        ?.maxTracesPerSecond,
    ).toBeUndefined();
    expect(resolveTracing({ maxTracesPerSecond: 7 }, url)?.maxTracesPerSecond).toBe(7);
  });

  it("reads the batch span processor's variables and the export timeout", () => {
    const settings = resolveTracing(undefined, {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
      OTEL_BSP_SCHEDULE_DELAY: "200",
      OTEL_BSP_MAX_QUEUE_SIZE: "8192",
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "1024",
      OTEL_EXPORTER_OTLP_TIMEOUT: "3000",
    });
    expect(settings?.batch).toEqual({ delay: 200, maxQueue: 8192, maxBatch: 1024, timeout: 3000 });
  });

  it("takes service.name from OTEL_RESOURCE_ATTRIBUTES unless OTEL_SERVICE_NAME says otherwise", () => {
    const base = {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
      OTEL_RESOURCE_ATTRIBUTES: "service.name=from-resource",
    };
    expect(resolveTracing(undefined, base)?.serviceName).toBe("from-resource");
    expect(resolveTracing(undefined, { ...base, OTEL_SERVICE_NAME: "named" })?.serviceName).toBe("named");
  });

  it("lets the config file win over the variables", () => {
    const settings = resolveTracing(
      {
        otlp: { url: "https://traces.example/v1/traces", headers: { "x-tenant": "config" } },
        sampleRatio: 0.5,
      },
      {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://env:4318/v1/traces",
        OTEL_EXPORTER_OTLP_HEADERS: "x-tenant=env,k=v",
        OTEL_TRACES_SAMPLER: "always_on",
      },
    );
    expect(settings).toMatchObject({
      url: "https://traces.example/v1/traces",
      headers: { "x-tenant": "config", k: "v" },
      sampleRatio: 0.5,
    });
  });

  it.each([
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4317", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" },
      "OTEL_EXPORTER_OTLP_PROTOCOL: grpc is not supported",
    ],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "ftp://c" }, "OTEL_EXPORTER_OTLP_ENDPOINT"],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c", OTEL_EXPORTER_OTLP_HEADERS: "novalue" },
      'OTEL_EXPORTER_OTLP_HEADERS: expected key=value, got "novalue"',
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c", OTEL_EXPORTER_OTLP_HEADERS: "k=%E0%A4%A" },
      "bad percent-encoding",
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c", OTEL_TRACES_SAMPLER: "jaeger_remote" },
      "jaeger_remote is not supported",
    ],
    [
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c",
        OTEL_TRACES_SAMPLER: "traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "2",
      },
      "OTEL_TRACES_SAMPLER_ARG: expected 0 to 1",
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c", BUNTIME_MAX_TRACES_PER_SECOND: "0" },
      "BUNTIME_MAX_TRACES_PER_SECOND: expected a whole number above 0, got 0",
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c", OTEL_BSP_MAX_QUEUE_SIZE: "-1" },
      "OTEL_BSP_MAX_QUEUE_SIZE: expected a whole number above 0",
    ],
    [
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c",
        OTEL_BSP_MAX_QUEUE_SIZE: "10",
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "20",
      },
      "is more than OTEL_BSP_MAX_QUEUE_SIZE",
    ],
  ])("refuses %o with a coded error naming the variable", (env, message) => {
    expect(() => resolveTracing(undefined, env)).toThrow(message);
    try {
      resolveTracing(undefined, env);
    } catch (error) {
      expect((error as { code: string }).code).toBe("BUNTIME_ERR_TRACE_CONFIG_INVALID");
    }
  });
});

describe("tracing config in the kernel config", () => {
  it("refuses a bad section with the kernel's config error, naming the field", async () => {
    const { resolveConfig } = await import("../../src/config/load.ts");
    expect(() => resolveConfig({ tracing: { sampleRatio: 2 } } as never)).toThrow("tracing.sampleRatio");
    for (const maxTracesPerSecond of [0, 1.5, "all"]) {
      expect(() => resolveConfig({ tracing: { maxTracesPerSecond } } as never)).toThrow(
        "tracing.maxTracesPerSecond",
      );
    }
    expect(() => resolveConfig({ tracing: { otlp: { url: "file:///etc/passwd" } } } as never)).toThrow(
      "tracing.otlp.url",
    );
  });
});
