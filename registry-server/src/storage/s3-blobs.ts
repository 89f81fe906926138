import type { S3Client } from "bun";
import type { BlobStore } from "./types.ts";

/**
 * Tarballs in an S3-compatible bucket through `Bun.s3`, for several registry nodes without a
 * shared disk. An S3 PUT is atomic and durable once acknowledged, so a blob is whole or absent.
 *
 * @param client a configured `S3Client` (bucket, endpoint, credentials)
 * @param prefix key prefix inside the bucket @default "tarballs/"
 */
export function createS3Blobs(client: S3Client, prefix = "tarballs/"): BlobStore {
  return {
    async put(key, bytes) {
      await client.write(`${prefix}${key}`, bytes, { type: "application/octet-stream" });
    },
    async get(key) {
      const file = client.file(`${prefix}${key}`);
      // Read the bytes here: tarballs are small, and a missing key must be known before a
      // response starts.
      try {
        return new Blob([await file.arrayBuffer()]);
      } catch (error) {
        if ((error as { code?: string }).code === "NoSuchKey") return undefined;
        throw error;
      }
    },
    async delete(key) {
      await client.delete(`${prefix}${key}`);
    },
    async list() {
      const out: { key: string; modifiedAt: number }[] = [];
      let continuationToken: string | undefined;
      do {
        const page = await client.list({ prefix, continuationToken });
        for (const item of page.contents ?? []) {
          out.push({
            key: item.key.slice(prefix.length),
            modifiedAt: Date.parse(item.lastModified ?? "") || 0,
          });
        }
        continuationToken = page.isTruncated ? page.nextContinuationToken : undefined;
      } while (continuationToken);
      return out;
    },
    async close() {},
  };
}
