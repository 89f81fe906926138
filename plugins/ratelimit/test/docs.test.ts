import { afterAll, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { KernelConfigOptions } from "@buntime/kernel";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import ratelimit from "@buntime/plugin-ratelimit";
import { definePlugin } from "@buntime/sdk";
import ratelimitPackage from "../package.json" with { type: "json" };

const page = readFileSync(join(import.meta.dir, "..", "..", "..", "docs", "plugins", "ratelimit.md"), "utf8");
const kernels: TestKernel[] = [];
afterAll(async () => {
  for (const kernel of kernels) await kernel.stop();
});

/** The page's section under `## <title>`, up to the next one. */
function section(title: string): string {
  const start = page.indexOf(`\n## ${title}\n`);
  expect(start).toBeGreaterThan(-1);
  const end = page.indexOf("\n## ", start + 1);
  return page.slice(start, end === -1 ? undefined : end);
}

/** The first fenced block of `lang` in `text`. */
function block(text: string, lang: string): string {
  const found = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(text)?.[1];
  expect(found).toBeDefined();
  return found as string;
}

/** A kernel with the settings file shown in `text`, and a plugin answering under `/api`. */
async function startAsShown(text: string, listen = false): Promise<TestKernel> {
  const kernel = await createTestKernel({
    plugins: [
      { packageJson: ratelimitPackage, plugin: ratelimit },
      {
        packageJson: { name: "items", version: "1.0.0", buntime: { kernel: "*", base: "/api" } },
        plugin: definePlugin({ setup: () => ({ fetch: () => Response.json([]) }) }),
      },
    ],
    config: JSON.parse(block(text, "json")) as KernelConfigOptions,
    listen,
  });
  kernels.push(kernel);
  return kernel;
}

it("answers as docs/plugins/ratelimit.md shows for its first rule", async () => {
  const kernel = await startAsShown(page);
  const response = await kernel.fetch("/api/items");
  const shown = Object.fromEntries(
    [...page.matchAll(/^# (RateLimit-\w+): (\S+)$/gm)].map((match) => [match[1]?.toLowerCase(), match[2]]),
  );
  expect(Object.keys(shown)).toEqual([
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "ratelimit-policy",
  ]);
  for (const name of ["ratelimit-limit", "ratelimit-remaining", "ratelimit-policy"]) {
    expect(response.headers.get(name)).toBe(shown[name] as string);
  }
  // The reset is the rest of the current minute: 60 only at its very start.
  expect(Number(response.headers.get("ratelimit-reset"))).toBeLessThanOrEqual(
    Number(shown["ratelimit-reset"]),
  );
});

it("counts the client behind a trusted proxy as 'Behind a proxy' shows, and refuses ipHeader as shown", async () => {
  const text = section("Behind a proxy");
  const kernel = await startAsShown(text, true);
  const curl = block(text, "sh");
  const header = /-H '([^:]+): ([^']+)'/.exec(curl);
  const remaining = async (value: string) =>
    (
      await fetch(new URL("/api/items", kernel.url), { headers: { [header?.[1] as string]: value } })
    ).headers.get("ratelimit-remaining");
  expect(await remaining(header?.[2] as string)).toBe(/^# (\d+):/m.exec(curl)?.[1] as string);
  // a different entry written by the client leaves it on the same counter; another client has its own
  expect(await remaining("198.51.100.2, 203.0.113.9")).toBe("98");
  expect(await remaining("203.0.113.9, 203.0.113.10")).toBe("99");

  const refusal = /^buntime start: .*$/m.exec(text)?.[0] ?? "(no buntime start: line on the page)";
  const error = await createTestKernel({
    plugins: [{ packageJson: ratelimitPackage, plugin: ratelimit }],
    config: { plugins: { "@buntime/plugin-ratelimit": { ipHeader: "x-forwarded-for" } } },
  }).then(
    (started) => started.stop().then(() => undefined),
    (e: Error & { code: string }) => e,
  );
  expect(`buntime start: ${error?.message} [${error?.code}]`).toBe(refusal);
});
