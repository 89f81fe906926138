/**
 * The baseline: a bare Bun.serve answering `hello`. With `--request-id` it also sets an
 * `x-request-id` header, the one thing the kernel adds to every response. Prints its URL.
 */
const withRequestId = process.argv.includes("--request-id");
let sequence = 0;
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch: withRequestId
    ? () => new Response("hello", { headers: { "x-request-id": `bench-${++sequence}` } })
    : () => new Response("hello"),
});
console.log(server.url.href);
