/** What `buntime plugin publish` and `buntime app publish` share once a package is packed. */
import { existsSync, readFileSync } from "node:fs";
import { type PackedPlugin, signIntegrity } from "@buntime/supply";
import { HOME_OPTIONS } from "./args.ts";
import type { CliContext } from "./context.ts";
import type { Output } from "./output.ts";

/** The options both publish commands take. */
export const PUBLISH_OPTIONS = {
  registry: HOME_OPTIONS.registry,
  tag: { type: "string" },
  key: { type: "string" },
  "no-sign": { type: "boolean" },
} as const;

/**
 * Warns about files that look like secrets, signs the integrity with the publisher key when
 * one is configured (or given with --key), publishes, and says what was published.
 */
export async function publishPacked(
  packed: PackedPlugin,
  values: { tag?: string; key?: string; "no-sign"?: boolean },
  context: CliContext,
  out: Output,
): Promise<void> {
  for (const warning of packed.warnings) process.stderr.write(`warning: ${warning}\n`);
  const keyPath = values.key ?? context.settings.signingKey;
  const sign =
    !values["no-sign"] && keyPath !== undefined && (values.key !== undefined || existsSync(keyPath));
  const publisherSignature = sign
    ? signIntegrity(readFileSync(keyPath as string, "utf8"), packed.integrity)
    : undefined;
  out.note(`publishing ${packed.name}@${packed.version} to ${context.registry}${sign ? " (signed)" : ""}`);
  await context.client.publish(packed, { tag: values.tag, publisherSignature });
  out.result(
    {
      name: packed.name,
      version: packed.version,
      tag: values.tag ?? "latest",
      registry: context.registry,
      integrity: packed.integrity,
      signedBy: publisherSignature?.keyid ?? null,
      warnings: packed.warnings,
    },
    `published ${packed.name}@${packed.version} (${values.tag ?? "latest"}) to ${context.registry}`,
  );
}
