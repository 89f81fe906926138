import { afterAll } from "bun:test";

/**
 * A minimal S3-compatible server on loopback (path-style PUT, GET, HEAD, DELETE and
 * ListObjectsV2 for one bucket, signatures not checked), so the S3 blob store can be tested
 * with Bun's real S3 client and no network.
 */
export function startFakeS3(bucket: string): {
  endpoint: string;
  objects: Map<string, { bytes: Uint8Array; modified: Date }>;
} {
  const objects = new Map<string, { bytes: Uint8Array; modified: Date }>();
  const xmlEscape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const [, first, ...rest] = url.pathname.split("/");
      if (first !== bucket) return new Response("<Error><Code>NoSuchBucket</Code></Error>", { status: 404 });
      const key = decodeURIComponent(rest.join("/"));
      if (request.method === "GET" && key === "" && url.searchParams.get("list-type") === "2") {
        const prefix = url.searchParams.get("prefix") ?? "";
        const contents = [...objects]
          .filter(([k]) => k.startsWith(prefix))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(
            ([k, o]) =>
              `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.modified.toISOString()}</LastModified><Size>${o.bytes.length}</Size></Contents>`,
          );
        const body = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${contents.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents.join("")}</ListBucketResult>`;
        return new Response(body, { headers: { "content-type": "application/xml" } });
      }
      const found = objects.get(key);
      switch (request.method) {
        case "PUT":
          objects.set(key, { bytes: new Uint8Array(await request.arrayBuffer()), modified: new Date() });
          return new Response(null, { status: 200, headers: { etag: '"fake"' } });
        case "GET":
        case "HEAD":
          if (!found) return new Response("<Error><Code>NoSuchKey</Code></Error>", { status: 404 });
          return new Response(request.method === "HEAD" ? null : new Blob([new Uint8Array(found.bytes)]), {
            headers: {
              "content-length": String(found.bytes.length),
              "last-modified": found.modified.toUTCString(),
              etag: '"fake"',
            },
          });
        case "DELETE":
          objects.delete(key);
          return new Response(null, { status: 204 });
        default:
          return new Response(null, { status: 405 });
      }
    },
  });
  afterAll(() => server.stop(true));
  return { endpoint: `http://127.0.0.1:${server.port}`, objects };
}
