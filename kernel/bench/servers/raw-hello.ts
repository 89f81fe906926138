/** The baseline: a bare Bun.serve answering `hello`. Prints its URL on stdout. */
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("hello") });
console.log(server.url.href);
