/**
 * Benchmark (issue 16): deploying a new app version into a running kernel, from the deploy
 * request to the new version answering (target <= 1 s), and requests dropped during the switch
 * while clients keep calling the app (target 0). A kernel with the router and deployments
 * plugins listens on 127.0.0.1; CLIENTS loops call /shop/ back to back during each switch.
 *
 *   npx bun plugins/deployments/bench/deploy-switch.ts [--rounds 5] [--clients 32]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestKernel } from "@buntime/kernel/testing";
import router from "@buntime/plugin-router";
import routerPackage from "@buntime/plugin-router/package.json" with { type: "json" };
import { create } from "tar";

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}
const ROUNDS = flag("rounds", 5);
const CLIENTS = flag("clients", 32);

const scratch = mkdtempSync(join(tmpdir(), "buntime-deploy-bench-"));
/** The tarball of app `shop` at `version`, answering its version. */
function tarball(version: string): Uint8Array<ArrayBuffer> {
  const dir = join(scratch, version, "package");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "shop", version, buntime: { app: {} } }));
  writeFileSync(
    join(dir, "index.ts"),
    `export default { fetch: () => new Response(${JSON.stringify(version)}) };`,
  );
  const file = join(scratch, `${version}.tgz`);
  create({ gzip: true, sync: true, file, cwd: join(dir, ".."), portable: true }, ["package"]);
  return new Uint8Array(readFileSync(file)) as Uint8Array<ArrayBuffer>;
}

const kernel = await createTestKernel({
  plugins: [{ packageJson: routerPackage, plugin: router }, join(import.meta.dir, "..")],
  listen: true,
});
const url = kernel.url as URL;
const token = readFileSync(join(kernel.home, "admin-token"), "utf8").trim();
const deploy = (version: string) =>
  fetch(new URL("/deployments/api/apps", url), {
    method: "POST",
    body: tarball(version),
    headers: { authorization: `Bearer ${token}`, "content-type": "application/gzip" },
  });

try {
  await deploy("1.0.0");
  const switchMs: number[] = [];
  let sent = 0;
  let dropped = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const version = `1.${round}.0`;
    let running = true;
    const client = async () => {
      while (running) {
        sent++;
        try {
          const response = await fetch(new URL("/shop/", url));
          const text = await response.text();
          if (response.status !== 200 || !/^1\.\d+\.0$/.test(text)) dropped++;
        } catch {
          dropped++;
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);
    await Bun.sleep(200);
    const started = performance.now();
    const answer = await deploy(version);
    if (answer.status !== 201) throw new Error(`deploy answered ${answer.status}: ${await answer.text()}`);
    for (let i = 0; i < 500; i++) {
      if ((await (await fetch(new URL("/shop/", url))).text()) === version) break;
      await Bun.sleep(2);
    }
    switchMs.push(performance.now() - started);
    await Bun.sleep(200);
    running = false;
    await Promise.all(clients);
    console.log(
      `round ${round}: ${version} answering ${switchMs.at(-1)?.toFixed(0)} ms after the deploy request`,
    );
  }
  const sorted = [...switchMs].sort((a, b) => a - b);
  console.log(
    `deploy to answering: median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms (target <= 1000)`,
  );
  console.log(`requests during switches: ${sent}, dropped ${dropped} (target 0), ${CLIENTS} clients`);
} finally {
  await kernel.stop();
  rmSync(scratch, { recursive: true, force: true });
}
