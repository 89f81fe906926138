/**
 * Tracing settings: the kernel config's `tracing` section, filled in from the variables
 * OpenTelemetry SDKs read (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/),
 * config winning where both say something. Tracing is on when an OTLP endpoint results.
 */
import { BuntimeError, formatZodIssues } from "@buntime/sdk";
import { z } from "zod";

/** The kernel config's `tracing` section. */
export const tracingSchema = z
  .object({
    /** Where spans go over OTLP/HTTP (JSON): the traces endpoint itself, and headers (an API key). */
    otlp: z
      .object({
        url: z.url({ protocol: /^https?$/ }),
        headers: z.record(z.string().min(1), z.string()).default({}),
      })
      .strict()
      .optional(),
    /** `service.name` of the spans. @default "buntime" */
    serviceName: z.string().min(1).max(200).optional(),
    /** Share of new traces recorded, 0 to 1; a caller's sampled flag is followed. @default 1 */
    sampleRatio: z.number().min(0).max(1).optional(),
    /**
     * New traces recorded per second at most, whatever the ratio picks, or "unlimited"; traces
     * a caller sampled are always followed. @default 100
     */
    maxTracesPerSecond: z.union([z.number().int().positive(), z.literal("unlimited")]).optional(),
  })
  .strict();

/** The section as written. */
export type TracingConfig = z.output<typeof tracingSchema>;

/** Tracing as it will run. */
export interface TracingSettings {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly serviceName: string;
  readonly sampleRatio: number;
  /** New traces recorded per second at most; undefined records every one the ratio picks. */
  readonly maxTracesPerSecond: number | undefined;
  /** From `OTEL_RESOURCE_ATTRIBUTES`. */
  readonly resource: Record<string, string>;
  /** The batching of spans (`OTEL_BSP_*`, `OTEL_EXPORTER_OTLP_*TIMEOUT`), where set. */
  readonly batch: BatchSettings;
}

/** How spans are batched and sent; each unset one takes the exporter's default. */
export interface BatchSettings {
  readonly delay?: number;
  readonly maxQueue?: number;
  readonly maxBatch?: number;
  readonly timeout?: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function invalid(source: string, details: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_TRACE_CONFIG_INVALID", { source, details });
}

/** `key=value,key2=value2` with percent-encoded values, as OTEL_*_HEADERS and OTEL_RESOURCE_ATTRIBUTES are written. */
export function parseKeyValueList(raw: string | undefined, source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of (raw ?? "").split(",")) {
    if (item.trim() === "") continue;
    const at = item.indexOf("=");
    if (at <= 0) throw invalid(source, `expected key=value, got ${JSON.stringify(item.trim())}`);
    try {
      out[decodeURIComponent(item.slice(0, at).trim())] = decodeURIComponent(item.slice(at + 1).trim());
    } catch {
      throw invalid(source, `bad percent-encoding in ${JSON.stringify(item.trim())}`);
    }
  }
  return out;
}

/** The traces endpoint the variables name: the signal's own as is, else the base one plus `/v1/traces`. */
function endpointFromEnv(env: Env): string | undefined {
  const own = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (own) return own;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!base) return undefined;
  return `${base.endsWith("/") ? base.slice(0, -1) : base}/v1/traces`;
}

/** The ratio `OTEL_TRACES_SAMPLER` (and its argument) ask for; parent-based either way. */
function ratioFromEnv(env: Env): number | undefined {
  const sampler = env.OTEL_TRACES_SAMPLER;
  if (!sampler) return undefined;
  if (sampler === "always_on" || sampler === "parentbased_always_on") return 1;
  if (sampler === "always_off" || sampler === "parentbased_always_off") return 0;
  if (sampler === "traceidratio" || sampler === "parentbased_traceidratio") {
    const arg = env.OTEL_TRACES_SAMPLER_ARG;
    const ratio = arg === undefined || arg === "" ? 1 : Number(arg);
    if (!(ratio >= 0 && ratio <= 1)) throw invalid("OTEL_TRACES_SAMPLER_ARG", `expected 0 to 1, got ${arg}`);
    return ratio;
  }
  throw invalid(
    "OTEL_TRACES_SAMPLER",
    `${sampler} is not supported: use always_on, always_off or (parentbased_)traceidratio`,
  );
}

/** New traces per second by default: every request of a quiet kernel, a bounded cost on a busy one. */
export const DEFAULT_MAX_TRACES_PER_SECOND = 100;

/** `BUNTIME_MAX_TRACES_PER_SECOND`: a whole number above 0, or `unlimited`. */
function budgetFromEnv(env: Env): number | "unlimited" | undefined {
  if (env.BUNTIME_MAX_TRACES_PER_SECOND?.trim() === "unlimited") return "unlimited";
  return positiveFromEnv(env, "BUNTIME_MAX_TRACES_PER_SECOND");
}

/** A whole positive number from variable `name`, or undefined when unset. */
function positiveFromEnv(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw invalid(name, `expected a whole number above 0, got ${raw}`);
  return value;
}

/** `OTEL_BSP_*` and the export timeout, as the OpenTelemetry SDKs read them (milliseconds, spans). */
function batchFromEnv(env: Env): BatchSettings {
  const timeout =
    positiveFromEnv(env, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT") ??
    positiveFromEnv(env, "OTEL_EXPORTER_OTLP_TIMEOUT");
  const batch: Record<string, number | undefined> = {
    delay: positiveFromEnv(env, "OTEL_BSP_SCHEDULE_DELAY"),
    maxQueue: positiveFromEnv(env, "OTEL_BSP_MAX_QUEUE_SIZE"),
    maxBatch: positiveFromEnv(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE"),
    timeout: timeout ?? positiveFromEnv(env, "OTEL_BSP_EXPORT_TIMEOUT"),
  };
  if (batch.maxBatch !== undefined && batch.maxQueue !== undefined && batch.maxBatch > batch.maxQueue) {
    throw invalid(
      "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
      `${batch.maxBatch} is more than OTEL_BSP_MAX_QUEUE_SIZE (${batch.maxQueue})`,
    );
  }
  return Object.fromEntries(Object.entries(batch).filter(([, value]) => value !== undefined));
}

/**
 * The tracing that `config` and `env` ask for, or undefined when off: no endpoint,
 * `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`.
 */
export function resolveTracing(config: TracingConfig | undefined, env: Env): TracingSettings | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  if (env.OTEL_TRACES_EXPORTER?.split(",").some((name) => name.trim() === "none")) return undefined;
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol === "grpc") {
    throw invalid(
      "OTEL_EXPORTER_OTLP_PROTOCOL",
      "grpc is not supported: the kernel sends OTLP/HTTP (JSON), port 4318",
    );
  }
  const url = config?.otlp?.url ?? endpointFromEnv(env);
  if (url === undefined) return undefined;
  const checked = z.url({ protocol: /^https?$/ }).safeParse(url);
  if (!checked.success) throw invalid("OTEL_EXPORTER_OTLP_ENDPOINT", formatZodIssues(checked.error));
  const envHeaders = {
    ...parseKeyValueList(env.OTEL_EXPORTER_OTLP_HEADERS, "OTEL_EXPORTER_OTLP_HEADERS"),
    ...parseKeyValueList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, "OTEL_EXPORTER_OTLP_TRACES_HEADERS"),
  };
  const resource = parseKeyValueList(env.OTEL_RESOURCE_ATTRIBUTES, "OTEL_RESOURCE_ATTRIBUTES");
  const perSecond = config?.maxTracesPerSecond ?? budgetFromEnv(env) ?? DEFAULT_MAX_TRACES_PER_SECOND;
  return {
    url,
    headers: { ...envHeaders, ...config?.otlp?.headers },
    // OTEL_SERVICE_NAME wins over a service.name among the resource attributes, as the spec says
    serviceName: config?.serviceName ?? (env.OTEL_SERVICE_NAME || resource["service.name"] || "buntime"),
    sampleRatio: config?.sampleRatio ?? ratioFromEnv(env) ?? 1,
    maxTracesPerSecond: perSecond === "unlimited" ? undefined : perSecond,
    resource,
    batch: batchFromEnv(env),
  };
}
