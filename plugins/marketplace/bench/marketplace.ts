/**
 * The marketplace's bench: `bun plugins/marketplace/bench/marketplace.ts [--packages 1000]
 * [--versions 5] [--runs 5]`. Prints each figure beside its target:
 * - search p95 against a registry seeded with packages × versions (measured by a client on
 *   loopback, so an upper bound of the server's time);
 * - click Install → the plugin answering → its menu entry visible in the shell (chromium);
 * - a failed upgrade (a new version failing its setup or its declared health check) → the old
 *   version serving again, with requests to another plugin counted meanwhile (none may fail).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { packPlugin } from "@buntime/supply";
import { launchTestBrowser } from "@buntime/test-kit/browser";
import { jobEvents, startBench } from "../test/support.ts";

const { values } = parseArgs({
  options: {
    packages: { type: "string", default: "1000" },
    versions: { type: "string", default: "5" },
    runs: { type: "string", default: "5" },
  },
});
const packages = Number(values.packages);
const versions = Number(values.versions);
const runs = Number(values.runs);

function p(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}
function line(label: string, value: number, target: number): void {
  const ok = value <= target ? "ok" : "MISSED";
  console.log(`${label.padEnd(46)} ${value.toFixed(1).padStart(9)} ms   target ≤ ${target} ms   ${ok}`);
}

const bench = await startBench([join(import.meta.dir, "..", "..", "..", "shell")]);
try {
  const seedStart = performance.now();
  const folder = join(bench.dir, "seed");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "index.js"), "export default { setup: () => ({}) };\n");
  for (let i = 0; i < packages; i++) {
    for (let v = 0; v < versions; v++) {
      const pkg = {
        name: `@seed/plugin-${i}`,
        version: `1.${v}.0`,
        description: `seeded plugin number ${i} for the search bench`,
        keywords: [`k${i % 50}`, "seed"],
        type: "module",
        main: "index.js",
        buntime: { kernel: "^0.1.0", base: `/seed-${i}` },
      };
      writeFileSync(join(folder, "package.json"), JSON.stringify(pkg));
      await bench.registry.publishTarball(packPlugin(folder).tarball);
    }
  }
  console.log(
    `seeded ${packages} packages × ${versions} versions in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
  );

  const queries = ["seed", "plugin 42", "number 999", "k7", "nothing-matches", "bench"];
  const times: number[] = [];
  for (let i = 0; i < 60; i++) {
    const started = performance.now();
    const response = await fetch(
      new URL(
        `-/marketplace/plugins?q=${encodeURIComponent(queries[i % queries.length] as string)}&kernel=0.1.0`,
        bench.registry.url,
      ),
    );
    await response.arrayBuffer();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  line("registry search (p95)", p(times, 0.95), 50);

  const browser = await launchTestBrowser();
  const page = await browser.newPage();
  const installs: number[] = [];
  for (let r = 0; r < runs; r++) {
    const name = `@bench/ui-${r}`;
    await bench.publish({ name, version: "1.0.0", menu: true });
    await page.goto(new URL(`/marketplace/plugin/${name}`, bench.url).href);
    const frame = page.frameLocator("z-frame iframe");
    await frame.locator('button[data-action="install"]').click();
    await frame.locator("#confirm").waitFor();
    const started = performance.now();
    await frame.locator("#confirm").click();
    await page.locator("#menu a", { hasText: `ui-${r}` }).waitFor({ timeout: 30_000 });
    installs.push(performance.now() - started);
  }
  await browser.close();
  installs.sort((a, b) => a - b);
  line("click Install → menu entry visible (p95)", p(installs, 0.95), 2000);

  const post = (body: unknown) =>
    fetch(new URL("/marketplace/api/apply", bench.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  await bench.publish({ name: "@bench/svc", version: "1.0.0", health: "ok" });
  await bench.publish({ name: "@bench/other", version: "1.0.0" });
  for (const name of ["@bench/svc", "@bench/other"]) {
    const started = (await (await post({ action: "install", name, version: "1.0.0" })).json()) as {
      events: string;
    };
    await jobEvents(bench.url, started.events);
  }
  const recoveries: number[] = [];
  let failures = 0;
  let requests = 0;
  for (let r = 0; r < runs; r++) {
    // half the new versions fail their setup, half their declared health check
    await bench.publish({
      name: "@bench/svc",
      version: `1.1.${r}`,
      ...(r % 2 === 0 ? { health: "503" as const } : { setup: 'throw new Error("broken")' }),
    });
    let stop = false;
    const hammer = (async () => {
      while (!stop) {
        requests++;
        const response = await fetch(new URL("/other/x", bench.url)).catch(() => undefined);
        if (!response || (await response.text()) !== "@bench/other@1.0.0") failures++;
      }
    })();
    const started = performance.now();
    const job = (await (
      await post({ action: "upgrade", name: "@bench/svc", version: `1.1.${r}` })
    ).json()) as { events: string };
    const events = await jobEvents(bench.url, job.events);
    const serving = (await (await fetch(new URL("/svc/x", bench.url))).text()) === "@bench/svc@1.0.0";
    recoveries.push(performance.now() - started);
    stop = true;
    await hammer;
    if (events.at(-1)?.type !== "failed" || !serving)
      throw new Error("the failed upgrade did not leave the old version serving");
  }
  recoveries.sort((a, b) => a - b);
  line("failed upgrade → old version serving (max)", recoveries.at(-1) as number, 5000);
  console.log(
    `requests to another plugin meanwhile: ${requests}, failed: ${failures} (target 0) ${failures === 0 ? "ok" : "MISSED"}`,
  );
} finally {
  await bench.stop();
}
