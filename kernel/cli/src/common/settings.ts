import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { BuntimeError, formatZodIssues } from "@buntime/sdk";
import type { KeyPins } from "@buntime/supply";
import { z } from "zod";
import { writeFileAtomic } from "./atomic-write.ts";

/** How strict installs are about signatures. */
export const SIGNATURE_POLICIES = ["publisher", "registry", "none"] as const;
/** One of {@link SIGNATURE_POLICIES}. */
export type SignaturePolicy = (typeof SIGNATURE_POLICIES)[number];

const keySchema = z.object({ keyid: z.string(), key: z.string() });
const settingsSchema = z.object({
  /** Default registry for every command. */
  registry: z.string().url().optional(),
  /** Tokens by registry URL, saved by `buntime login`. */
  tokens: z.record(z.string(), z.string()).default({}),
  /** Path of the publisher's ed25519 private key; publishing signs with it. */
  signingKey: z.string().optional(),
  /** `publisher`: every plugin must be publisher-signed; `registry` (default): registry signature required; `none`: unsigned allowed. */
  signaturePolicy: z.enum(SIGNATURE_POLICIES).default("registry"),
  /** Registry keys by registry URL: configured, or pinned at first use. */
  registryKeys: z.record(z.string(), z.array(keySchema)).default({}),
});

/** The CLI's own settings (not the kernel's): `<dir>/cli.json`. */
export type CliSettings = z.output<typeof settingsSchema> & { registryKeys: KeyPins };

/** The folder of the CLI settings and keys: `BUNTIME_CLI_DIR`, else `~/.config/buntime`. */
export function settingsDir(env = process.env): string {
  return env.BUNTIME_CLI_DIR ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "buntime");
}

/** Reads the CLI settings (defaults when the file does not exist). */
export function readSettings(dir = settingsDir()): CliSettings {
  const path = join(dir, "cli.json");
  if (!existsSync(path)) return settingsSchema.parse({});
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const unreadable = (error as { code?: string }).code === "EACCES";
    throw new BuntimeError(
      "BUNTIME_ERR_CONFIG_INVALID",
      { source: path, details: unreadable ? "not readable by this user" : "not valid JSON" },
      { cause: error },
    );
  }
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new BuntimeError("BUNTIME_ERR_CONFIG_INVALID", {
      source: path,
      details: formatZodIssues(parsed.error),
    });
  }
  return parsed.data;
}

/** Writes the CLI settings atomically (temp file + rename), readable by the owner only. */
export function writeSettings(settings: CliSettings, dir = settingsDir()): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileAtomic(join(dir, "cli.json"), `${JSON.stringify(settings, null, 2)}\n`, 0o600);
}
