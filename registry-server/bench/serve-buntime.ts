/** Runs a Buntime registry for the bench in its own process: bun serve-buntime.ts <port> <dir>. */
import { startRegistry } from "@buntime/registry-server";

const [port = "0", dir = "./bench-store"] = process.argv.slice(2);
const registry = await startRegistry({ port: Number(port), storageDir: dir });
console.log(registry.url);
