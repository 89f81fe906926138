/**
 * Draws a bench:all run (its `--json` file) as docs/images/performance-<name>.svg and .png: the
 * share of raw Bun.serve per figure and server, with each target marked; and the app-count curve.
 * The PNG is rendered by Chromium through playwright-core (CHROMIUM sets the browser, default
 * /usr/bin/chromium).
 *
 *   npx bun bench/chart.ts run.json [--name run]
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

interface Run {
  rounds: number;
  seconds: number;
  results: Array<{ name: string; ratio: Record<string, number> }>;
  curve: Array<{ count: number; rps: number; lagMedian: number; rssMb: number }>;
  /** The same curve for bare Workers without a pool (runs before it was measured have none). */
  bareCurve?: Array<{ count: number; rps: number }>;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { name: { type: "string", default: "run" } },
});
const input = positionals[0];
if (input === undefined) throw new Error("usage: bun bench/chart.ts run.json [--name run]");
const run = (await Bun.file(input).json()) as Run;

/** The targets drawn as marks: figure name → share of raw. */
const TARGETS: Record<string, number> = {
  "warm hello, 50 connections": 0.5,
  "warm hello, 200 connections": 0.5,
  "64 KB response": 0.22,
  "warm hello, process tier, 50 connections": 0.3,
  "50 ms handler (ideal 1000 req/s)": 0.9,
  "ephemeral (ttl 0), 5 connections": 0.9,
};
const COLORS = [
  "#9aa5b1",
  "#2b6cb0",
  "#dd6b20",
  "#38a169",
  "#4a5568",
  "#805ad5",
  "#d53f8c",
  "#319795",
  "#b7791f",
  "#2d3748",
];
const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

const W = 900;
const ROW = 34;
const LEFT = 300;
const BAR_W = 520;
const rows = run.results;
const parts: string[] = [];
const servers = [...new Set(rows.flatMap((row) => Object.keys(row.ratio)))];
parts.push(
  `<text x="20" y="30" font-size="18" font-weight="bold">Share of raw Bun.serve (median of ${run.rounds} rounds of ${run.seconds} s); | = target</text>`,
);
// the legend wraps onto more lines when the servers' names do not fit in one
let legendX = 20;
let legendY = 40;
servers.forEach((server, i) => {
  const width = 34 + server.length * 6.5;
  if (legendX + width > W - 20) {
    legendX = 20;
    legendY += 18;
  }
  const x = legendX;
  legendX += width;
  parts.push(`<rect x="${x}" y="${legendY}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>`);
  parts.push(`<text x="${x + 18}" y="${legendY + 11}" font-size="12">${xml(server)}</text>`);
});
const top = legendY + 20;
rows.forEach((row, r) => {
  const y = top + 10 + r * ROW;
  parts.push(`<text x="${LEFT - 8}" y="${y + 17}" font-size="12" text-anchor="end">${xml(row.name)}</text>`);
  const entries = Object.entries(row.ratio);
  const h = (ROW - 6) / entries.length;
  entries.forEach(([server, ratio], i) => {
    const width = Math.max(0, Math.min(1.2, ratio)) * BAR_W;
    const color = COLORS[servers.indexOf(server) % COLORS.length];
    parts.push(`<rect x="${LEFT}" y="${y + i * h}" width="${width}" height="${h - 1}" fill="${color}"/>`);
    parts.push(
      `<text x="${LEFT + width + 4}" y="${y + i * h + h - 2}" font-size="${Math.min(11, h)}">${ratio.toFixed(2)}</text>`,
    );
  });
  const target = TARGETS[row.name];
  if (target !== undefined) {
    const x = LEFT + target * BAR_W;
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${y - 2}" y2="${y + ROW - 4}" stroke="#c53030" stroke-width="3"/>`,
    );
  }
});
const axisY = top + 10 + rows.length * ROW;
for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
  const x = LEFT + tick * BAR_W;
  parts.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${axisY}" stroke="#e2e8f0"/>`);
  parts.push(`<text x="${x}" y="${axisY + 14}" font-size="11" text-anchor="middle">${tick}</text>`);
}

// the app-count curve: req/s as a share of 10 apps, on a log scale of app counts
const cTop = axisY + 60;
const cH = 200;
const ten = run.curve.find((point) => point.count === 10)?.rps ?? 1;
const xOf = (count: number) => LEFT + (Math.log10(count) / Math.log10(500)) * BAR_W;
const yOf = (share: number) => cTop + cH - Math.min(1.3, share) * (cH / 1.3);
parts.push(
  `<text x="20" y="${cTop - 20}" font-size="16" font-weight="bold">Apps hit round-robin: req/s as a share of 10 apps (labels: RSS MB, event-loop lag ms)</text>`,
);
parts.push(
  `<line x1="${LEFT}" x2="${LEFT + BAR_W}" y1="${yOf(0.5)}" y2="${yOf(0.5)}" stroke="#c53030" stroke-dasharray="6 4"/>`,
);
parts.push(`<text x="${LEFT - 8}" y="${yOf(0.5) + 4}" font-size="11" text-anchor="end">target 0.5</text>`);
parts.push(`<text x="${LEFT - 8}" y="${yOf(1) + 4}" font-size="11" text-anchor="end">1.0</text>`);
parts.push(
  `<polyline fill="none" stroke="#2b6cb0" stroke-width="2" points="${run.curve.map((p) => `${xOf(p.count)},${yOf(p.rps / ten)}`).join(" ")}"/>`,
);
const bareTen = run.bareCurve?.find((point) => point.count === 10)?.rps ?? 1;
if (run.bareCurve !== undefined) {
  parts.push(
    `<polyline fill="none" stroke="#718096" stroke-width="2" stroke-dasharray="4 3" points="${run.bareCurve.map((p) => `${xOf(p.count)},${yOf(p.rps / bareTen)}`).join(" ")}"/>`,
  );
  parts.push(
    `<text x="20" y="${cTop - 4}" font-size="11" fill="#4a5568">solid: the pool · dashed: bare Workers, one per app, no pool (share of their own 10 apps)</text>`,
  );
}
for (const point of run.curve) {
  const x = xOf(point.count);
  const y = yOf(point.rps / ten);
  parts.push(`<circle cx="${x}" cy="${y}" r="4" fill="#2b6cb0"/>`);
  parts.push(
    `<text x="${x}" y="${y - 10}" font-size="11" text-anchor="middle">${(point.rps / ten).toFixed(2)} · ${point.rssMb.toFixed(0)} MB · ${point.lagMedian.toFixed(1)} ms</text>`,
  );
  parts.push(
    `<text x="${x}" y="${cTop + cH + 16}" font-size="11" text-anchor="middle">${point.count}</text>`,
  );
}
const H = cTop + cH + 40;
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" role="img"><title>Buntime performance: each figure as a share of raw Bun.serve, beside its target</title><rect width="${W}" height="${H}" fill="white"/>${parts.join("")}</svg>\n`;

const base = join(import.meta.dir, "../docs/images", `performance-${values.name}`);
writeFileSync(`${base}.svg`, svg);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium" });
try {
  const page = await browser.newPage({ viewport: { width: W, height: H } });
  await page.setContent(svg);
  await page.screenshot({ path: `${base}.png`, omitBackground: false });
} finally {
  await browser.close();
}
console.log(`${base}.svg and .png`);
