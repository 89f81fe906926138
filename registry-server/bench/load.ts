/**
 * A small closed-loop HTTP load generator: `connections` workers each send requests one after
 * another for `seconds`, cycling through `urls`. Prints requests per second as JSON.
 * Usage: bun load.ts <seconds> <connections> <accept> <url>...
 */
const [seconds = "5", connections = "50", accept = "application/json", ...urls] = process.argv.slice(2);
if (urls.length === 0) throw new Error("usage: bun load.ts <seconds> <connections> <accept> <url>...");
const deadline = performance.now() + Number(seconds) * 1000;
let done = 0;
let failed = 0;
let next = 0;
async function worker(): Promise<void> {
  while (performance.now() < deadline) {
    const url = urls[next++ % urls.length] as string;
    const res = await fetch(url, { headers: { accept } });
    await res.arrayBuffer();
    if (res.ok) done++;
    else failed++;
  }
}
const started = performance.now();
await Promise.all(Array.from({ length: Number(connections) }, worker));
const elapsed = (performance.now() - started) / 1000;
console.log(JSON.stringify({ requests: done, failed, seconds: elapsed, rps: Math.round(done / elapsed) }));

export {};
