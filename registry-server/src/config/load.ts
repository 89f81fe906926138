import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { BuntimeError } from "@buntime/sdk";
import type { z } from "zod";
import { type RegistrySettings, registrySettingsSchema } from "./schema.ts";

/**
 * How a plain setting is spelled as a flag; its `BUNTIME_REGISTRY_*` variable is the flag in upper
 * case with `_` for `-` (`--sign-up`, `BUNTIME_REGISTRY_SIGN_UP`).
 */
const PLAIN = {
  port: { flag: "port", kind: "int" },
  host: { flag: "host" },
  storage: { flag: "storage" },
  postgres: { flag: "postgres" },
  publicUrl: { flag: "public-url" },
  signingKey: { flag: "signing-key" },
  signUp: { flag: "sign-up" },
  anonymousRead: { flag: "anonymous-read", kind: "bool" },
  uplinkCache: { flag: "uplink-cache" },
  advisories: { flag: "advisories" },
} as const satisfies Record<string, { flag: string; kind?: "int" | "bool" }>;

const S3 = { bucket: "s3-bucket", endpoint: "s3-endpoint", region: "s3-region" } as const;
const ENV = "BUNTIME_REGISTRY_";

/** The flags `buntime registry start` takes (for `parseArgs`). */
export const REGISTRY_FLAGS = {
  config: { type: "string" },
  ...Object.fromEntries(Object.values(PLAIN).map(({ flag }) => [flag, { type: "string" }])),
  ...Object.fromEntries(Object.values(S3).map((flag) => [flag, { type: "string" }])),
  uplink: { type: "string", multiple: true },
  "uplink-max-age": { type: "string" },
} as const satisfies Record<string, { type: "string"; multiple?: boolean }>;

type Source = "flag" | "env";

function invalid(details: string): never {
  throw new BuntimeError("BUNTIME_ERR_REGISTRY_SETTINGS_INVALID", { details });
}

function convert(raw: string, kind: string | undefined): unknown {
  if (kind === "int" && /^\d+$/.test(raw)) return Number(raw);
  if (kind === "bool" && (raw === "true" || raw === "false")) return raw === "true";
  return raw;
}

/** The name a user wrote for the setting at `path`, in the source it came from. */
function nameOf(path: PropertyKey[], source: Source | string): string {
  const [field, index, sub] = path.map(String);
  if (source !== "flag" && source !== "env") {
    const where = path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    return where ? `${source}: ${where.slice(1)}` : source;
  }
  const spell = (flag: string) =>
    source === "flag" ? `--${flag}` : `${ENV}${flag.replace(/-/g, "_").toUpperCase()}`;
  if (field === "s3" && index) return spell(S3[index as keyof typeof S3] ?? `s3-${index}`);
  if (field === "uplinks")
    return spell(sub === "maxAgeSeconds" ? "uplink-max-age" : source === "flag" ? "uplink" : "uplinks");
  const plain = PLAIN[field as keyof typeof PLAIN];
  return plain ? spell(plain.flag) : spell(field ?? "");
}

/** ` (got "abc")` for the value at `path`, when there is a plain one to show (never a database URL: it may hold a password). */
function gotOf(raw: unknown, path: PropertyKey[]): string {
  if (path[0] === "postgres") return "";
  let value = raw;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  const shown = typeof value === "string" || typeof value === "number" ? JSON.stringify(value) : undefined;
  return shown === undefined ? "" : ` (got ${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown})`;
}

function parseLayer(raw: Record<string, unknown>, source: Source | string): RegistrySettings {
  const parsed = registrySettingsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  invalid(
    parsed.error.issues
      .map(
        (issue: z.core.$ZodIssue) =>
          `${nameOf(issue.path, source)}: ${issue.message}${gotOf(raw, issue.path)}`,
      )
      .join("; "),
  );
}

/** One layer of settings from flag values or `BUNTIME_REGISTRY_*` variables (spelled alike). */
function rawLayer(
  read: (flag: string) => string | undefined,
  uplinks: string[] | undefined,
): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [field, { flag, ...rest }] of Object.entries(PLAIN)) {
    const value = read(flag);
    if (value !== undefined) raw[field] = convert(value, "kind" in rest ? rest.kind : undefined);
  }
  const s3 = Object.entries(S3).filter(([, flag]) => read(flag) !== undefined);
  if (s3.length > 0) raw.s3 = Object.fromEntries(s3.map(([key, flag]) => [key, read(flag)]));
  if (uplinks) {
    const maxAge = read("uplink-max-age");
    raw.uplinks = uplinks.map((url) => ({
      url,
      ...(maxAge === undefined ? {} : { maxAgeSeconds: convert(maxAge, "int") }),
    }));
  }
  return raw;
}

function readConfigFile(file: string): RegistrySettings {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    invalid(
      `config file ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error)}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    invalid(`config file ${file}: not JSON: ${(error as Error).message}`);
  }
  const settings = parseLayer(raw as Record<string, unknown>, file);
  // Paths in a file are relative to the file, wherever the registry is started from.
  for (const field of ["storage", "signingKey", "uplinkCache", "advisories"] as const) {
    if (settings[field]) settings[field] = resolve(dirname(file), settings[field]);
  }
  return settings;
}

/** What `buntime registry <command>` asked for. */
export interface RegistryInvocation {
  command: string;
  settings: RegistrySettings;
}

/**
 * Reads the registry's settings from a config file (`--config` or `BUNTIME_REGISTRY_CONFIG`),
 * `BUNTIME_REGISTRY_*` variables and flags, each later source overriding the earlier one field
 * by field. Every bad value is `BUNTIME_ERR_REGISTRY_SETTINGS_INVALID` naming where it came from
 * (`--port`, `BUNTIME_REGISTRY_SIGN_UP`, `registry.json: uplinks[0].url`).
 *
 * @example
 * const { settings } = loadRegistrySettings(["start", "--port", "0"], process.env);
 */
export function loadRegistrySettings(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): RegistryInvocation {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof REGISTRY_FLAGS; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args: argv, options: REGISTRY_FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    invalid((error as Error).message);
  }
  const { values, positionals } = parsed;
  const readEnv = (flag: string) => env[`${ENV}${flag.replace(/-/g, "_").toUpperCase()}`] || undefined;
  const envUplinks = readEnv("uplinks")
    ?.split(",")
    .map((url) => url.trim())
    .filter(Boolean);
  const configFile = values.config ?? readEnv("config");
  const layers = [
    configFile ? readConfigFile(resolve(configFile)) : {},
    parseLayer(rawLayer(readEnv, envUplinks), "env"),
    parseLayer(
      rawLayer((flag) => values[flag as keyof typeof values] as string | undefined, values.uplink),
      "flag",
    ),
  ];
  const settings: RegistrySettings = {};
  for (const layer of layers) {
    const { s3, ...rest } = layer;
    Object.assign(settings, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)));
    if (s3) settings.s3 = { ...settings.s3, ...s3 };
  }
  if (settings.s3 && !settings.postgres) {
    invalid(
      "s3 needs postgres for the metadata (--postgres, BUNTIME_REGISTRY_POSTGRES or postgres in the config file)",
    );
  }
  if (settings.s3 && !settings.s3.bucket) invalid("s3 needs a bucket (--s3-bucket)");
  return { command: positionals[0] ?? "start", settings };
}
