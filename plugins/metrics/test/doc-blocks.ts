/**
 * What the metrics tests read from docs/plugins/metrics.md (its Prometheus configurations, run
 * as written) and ask a real Prometheus (the targets it scraped).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const DOC = readFileSync(join(import.meta.dir, "..", "..", "..", "docs", "plugins", "metrics.md"), "utf8");

/**
 * The `nth` (1-based) fenced block of `language` in the doc's section `heading` (`## …`, up to
 * the next heading of that level).
 */
export function documented(heading: string, language: string, nth = 1): string {
  const start = DOC.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no section "${heading}" in docs/plugins/metrics.md`);
  const level = heading.slice(0, heading.indexOf(" ") + 1);
  const next = DOC.indexOf(`\n${level}`, start + heading.length + 1);
  const section = DOC.slice(start, next < 0 ? undefined : next);
  const blocks = [...section.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, "g"))];
  const block = blocks[nth - 1]?.[1];
  if (block === undefined)
    throw new Error(`no ${language} block ${nth} in "${heading}" of docs/plugins/metrics.md`);
  return block;
}

/** A target as Prometheus reports it. */
export interface Target {
  health: string;
  lastError: string;
  labels: Record<string, string>;
}

/** Prometheus' view of its targets, once `count` of them have been scraped (at most `ms`). */
export async function scrapedTargets(url: string, count = 1, ms = 30_000): Promise<Target[]> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    const answer = await fetch(`${url}/api/v1/targets`).catch(() => undefined);
    if (answer?.ok) {
      const targets = ((await answer.json()) as { data: { activeTargets: Target[] } }).data.activeTargets;
      if (targets.length >= count && targets.every((target) => target.health !== "unknown")) return targets;
    }
    await Bun.sleep(200);
  }
  throw new Error(`Prometheus scraped fewer than ${count} targets within ${ms} ms`);
}
