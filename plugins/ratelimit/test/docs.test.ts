import { afterAll, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import ratelimit from "@buntime/plugin-ratelimit";
import { definePlugin } from "@buntime/sdk";
import ratelimitPackage from "../package.json" with { type: "json" };

const page = readFileSync(join(import.meta.dir, "..", "..", "..", "docs", "plugins", "ratelimit.md"), "utf8");
const kernels: TestKernel[] = [];
afterAll(async () => {
  for (const kernel of kernels) await kernel.stop();
});

it("answers as docs/plugins/ratelimit.md shows for its first rule", async () => {
  const settings = JSON.parse(/```json\n([\s\S]*?)```/.exec(page)?.[1] ?? "null") as { plugins: object };
  const kernel = await createTestKernel({
    plugins: [
      { packageJson: ratelimitPackage, plugin: ratelimit },
      {
        packageJson: { name: "items", version: "1.0.0", buntime: { kernel: "*", base: "/api" } },
        plugin: definePlugin({ setup: () => ({ fetch: () => Response.json([]) }) }),
      },
    ],
    config: { plugins: settings.plugins as Record<string, unknown> },
  });
  kernels.push(kernel);
  const response = await kernel.fetch("/api/items", { headers: { "x-forwarded-for": "203.0.113.7" } });
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
