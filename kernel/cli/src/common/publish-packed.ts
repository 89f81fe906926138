/** What `buntime plugin publish` and `buntime app publish` share once a package is packed. */
import { existsSync, readFileSync } from "node:fs";
import { type PackedPlugin, packagePath, signIntegrity } from "@buntime/supply";
import { HOME_OPTIONS } from "./args.ts";
import type { CliContext } from "./context.ts";
import { type Output, warn } from "./output.ts";

/** The options both publish commands take. */
export const PUBLISH_OPTIONS = {
  registry: HOME_OPTIONS.registry,
  tag: { type: "string" },
  key: { type: "string" },
  "no-sign": { type: "boolean" },
  "dry-run": { type: "boolean" },
} as const;

/**
 * Warns about files that look like secrets, signs the integrity with the publisher key when
 * one is configured (or given with --key), publishes, and says what was published. With
 * `--dry-run` it does all of that but the sending: it prints what would go where, and the
 * registry hears nothing.
 */
export async function publishPacked(
  packed: PackedPlugin,
  values: { tag?: string; key?: string; "no-sign"?: boolean; "dry-run"?: boolean },
  context: CliContext,
  out: Output,
): Promise<void> {
  for (const warning of packed.warnings) warn(warning);
  const keyPath = values.key ?? context.settings.signingKey;
  const sign =
    !values["no-sign"] && keyPath !== undefined && (values.key !== undefined || existsSync(keyPath));
  const publisherSignature = sign
    ? signIntegrity(readFileSync(keyPath as string, "utf8"), packed.integrity)
    : undefined;
  const tag = values.tag ?? "latest";
  const dryRun = values["dry-run"] === true;
  const result = {
    name: packed.name,
    version: packed.version,
    tag,
    registry: context.registry,
    integrity: packed.integrity,
    signedBy: publisherSignature?.keyid ?? null,
    warnings: packed.warnings,
    dryRun,
  };
  if (dryRun) {
    const url = new URL(packagePath(packed.name), context.registry).href;
    const signed = publisherSignature ? `signed with ${publisherSignature.keyid}` : "unsigned";
    out.result(
      {
        ...result,
        url,
        size: packed.tarball.length,
        files: packed.files,
        token: context.tokenSource ?? null,
      },
      [
        ...packed.files.map((f) => `  ${f}`),
        `would publish ${packed.name}@${packed.version} (${tag}) to ${context.registry}: PUT ${url}`,
        `  ${packed.tarball.length} bytes, ${packed.files.length} files, ${packed.integrity}, ${signed}`,
        `  token: ${context.tokenSource ?? "none (the registry would refuse: buntime login first)"}`,
        "nothing was sent (--dry-run)",
      ].join("\n"),
    );
    return;
  }
  out.note(`publishing ${packed.name}@${packed.version} to ${context.registry}${sign ? " (signed)" : ""}`);
  await context.client.publish(packed, { tag: values.tag, publisherSignature });
  out.result(result, `published ${packed.name}@${packed.version} (${tag}) to ${context.registry}`);
}
