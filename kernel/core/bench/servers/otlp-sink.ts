/**
 * An OTLP/HTTP receiver for the tracing bench, in its own process (the bench's driver blocks
 * while wrk runs): takes each export's bytes and answers at once, decoding nothing, as a
 * collector on another machine would cost the kernel nothing more. Prints its URL on stdout,
 * and the megabytes it received when stopped (SIGTERM).
 */
let received = 0;
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    received += (await request.arrayBuffer()).byteLength;
    return new Response("{}", { headers: { "content-type": "application/json" } });
  },
});
process.on("SIGTERM", () => {
  console.log(`${(received / 1e6).toFixed(1)}`);
  server.stop(true);
  process.exit(0);
});
console.log(`${server.url.href}v1/traces`);
