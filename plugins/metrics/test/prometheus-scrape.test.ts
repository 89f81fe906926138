/**
 * The scrape setup docs/plugins/metrics.md documents, run as written against the default
 * distribution (its `npm start` script, with the auth plugin) by a real Prometheus (Debian
 * package `prometheus`): the target must come up, scraped with the token, and a scrape without
 * the token must be refused.
 */
import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startDefaultDistribution } from "@buntime/test-kit/distribution";
import { onCleanup, tempDir } from "@buntime/test-kit/fixtures";
import { untilListening } from "@buntime/test-kit/listening";
import { freeLoopbackPort } from "@buntime/test-kit/ports";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";
import { documented, scrapedTargets } from "./doc-blocks.ts";

describe.skipIf(skipWithoutSystemTool({ command: "prometheus", debianPackage: "prometheus" }))(
  "the documented Prometheus scrape of the default distribution",
  () => {
    it("scrapes /metrics with the scrape token, and is refused without it", async () => {
      const home = tempDir();
      const token = "0f".repeat(32); // what `openssl rand -hex 32` writes
      writeFileSync(join(home, "buntime-scrape-token"), `${token}\n`);
      writeFileSync(
        join(home, "buntime.config.json"),
        documented("## Scraping it with Prometheus", "json").replace("…the token…", token),
      );
      const distribution = startDefaultDistribution(home);
      onCleanup(() => distribution.kill("SIGKILL"));
      const { url } = await untilListening(distribution.stdout, 60_000);

      const bare = await fetch(new URL("/metrics", url));
      expect(bare.status).toBe(401);
      expect(((await bare.json()) as { error: { code: string } }).error.code).toBe(
        "BUNTIME_ERR_METRICS_SCRAPE_UNAUTHORIZED",
      );
      // the UI's data stays for admins: the token opens the text only
      const snapshot = await fetch(new URL("/metrics/api/snapshot", url), {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(snapshot.status).toBe(401);

      const config = documented("## Scraping it with Prometheus", "yaml")
        .replace("scrape_interval: 15s", "scrape_interval: 1s")
        .replace('"localhost:8000"', `"${url.host}"`);
      writeFileSync(join(home, "prometheus.yml"), config);
      const web = `127.0.0.1:${freeLoopbackPort()}`;
      const prometheus = Bun.spawn(
        [
          "prometheus",
          `--config.file=${join(home, "prometheus.yml")}`,
          `--storage.tsdb.path=${join(home, "prometheus-data")}`,
          `--web.listen-address=${web}`,
        ],
        { cwd: home, stdout: "ignore", stderr: "ignore" },
      );
      onCleanup(() => prometheus.kill("SIGKILL"));
      const [target] = await scrapedTargets(`http://${web}`);
      expect(target?.lastError).toBe("");
      expect(target?.health).toBe("up");
      expect(target?.labels.job).toBe("buntime");
    }, 120_000);
  },
);
