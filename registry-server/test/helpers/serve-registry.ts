/** A registry in its own process, for tests that kill it: bun serve-registry.ts <storageDir>. Prints its URL. */
import { startRegistry } from "@buntime/registry-server";

const registry = await startRegistry({ port: 0, storageDir: process.argv[2] ?? "./store" });
console.log(registry.url);
