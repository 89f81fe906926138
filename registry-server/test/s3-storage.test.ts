import { join } from "node:path";
import { createS3Blobs, createSqliteMetadata } from "@buntime/registry-server";
import { S3Client } from "bun";
import { startFakeS3 } from "./helpers/fake-s3.ts";
import { tempDir } from "./helpers/registry.ts";
import { storageContract } from "./helpers/storage-contract.ts";

const s3 = startFakeS3("registry");
// made here, not in the contract's beforeAll, so that it lasts until the file ends
const dir = tempDir();

storageContract("SQLite + S3 (Bun.s3)", async () => ({
  metadata: createSqliteMetadata(join(dir, "registry.db")),
  blobs: createS3Blobs(
    new S3Client({
      endpoint: s3.endpoint,
      bucket: "registry",
      accessKeyId: "test",
      secretAccessKey: "test-secret",
    }),
  ),
}));
