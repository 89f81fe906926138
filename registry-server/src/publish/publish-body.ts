import { BuntimeError, formatZodIssues } from "@buntime/sdk";
import { z } from "zod";

const signatureSchema = z.object({ keyid: z.string().min(1).max(200), sig: z.string().min(1).max(400) });

const versionDocSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    dist: z
      .object({
        integrity: z.string().optional(),
        shasum: z.string().optional(),
        publisherSignature: signatureSchema.optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

/** The body `npm publish` PUTs to `/:name`. */
export const publishBodySchema = z
  .object({
    name: z.string(),
    "dist-tags": z.record(z.string(), z.string()).default({}),
    versions: z.record(z.string(), versionDocSchema),
    _attachments: z.record(
      z.string(),
      z.object({ data: z.string(), length: z.number().int().nonnegative().optional() }).passthrough(),
    ),
  })
  .passthrough();

/** A publish request reduced to what the registry acts on. */
export interface PublishRequest {
  version: string;
  versionDoc: z.output<typeof versionDocSchema>;
  tags: string[];
  tarball: Uint8Array;
}

/**
 * Reads one new version and its tarball out of an npm publish body, refusing bodies that
 * name another package, carry several versions or attachments, or a tarball over `maxBytes`.
 */
export function parsePublishBody(body: unknown, name: string, maxBytes: number): PublishRequest {
  const parsed = publishBodySchema.safeParse(body);
  if (!parsed.success) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_PUBLISH_INVALID", {
      details: formatZodIssues(parsed.error),
    });
  }
  const { data } = parsed;
  const invalid = (details: string) => new BuntimeError("BUNTIME_ERR_REGISTRY_PUBLISH_INVALID", { details });
  if (data.name !== name) throw invalid(`body names ${data.name} but the URL names ${name}`);
  const versions = Object.entries(data.versions);
  const attachments = Object.values(data._attachments);
  if (versions.length !== 1) throw invalid("exactly one version must be published at a time");
  if (attachments.length !== 1) throw invalid("exactly one tarball attachment is expected");
  const [version, versionDoc] = versions[0] as [string, z.output<typeof versionDocSchema>];
  const attachment = attachments[0] as { data: string; length?: number };
  if (!/^[A-Za-z0-9+/=\s]*$/.test(attachment.data)) throw invalid("attachment data is not base64");
  const decodedSize = Math.floor((attachment.data.replace(/[\s=]/g, "").length * 3) / 4);
  if (decodedSize > maxBytes) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_TARBALL_TOO_LARGE", {
      package: `${name}@${version}`,
      what: "tarball",
      size: decodedSize,
      limit: maxBytes,
    });
  }
  const tarball = Buffer.from(attachment.data, "base64");
  if (attachment.length !== undefined && attachment.length !== tarball.length) {
    throw invalid(`attachment length ${attachment.length} does not match its ${tarball.length} bytes`);
  }
  return { version, versionDoc, tags: Object.keys(data["dist-tags"]), tarball };
}
