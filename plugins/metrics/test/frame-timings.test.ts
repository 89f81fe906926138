/** The shell's INIT→READY times in the metrics, when the shell runs (and nothing when it does not). */
import { afterEach, expect, it } from "bun:test";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import { withoutNode } from "./fixtures/without-node.ts";

const METRICS_DIR = join(import.meta.dir, "..");
/** The shell, loaded from its folder as `npm start` would run it. */
const SHELL_DIR = join(import.meta.dir, "..", "..", "..", "shell");
let kernel: TestKernel | undefined;
afterEach(() => kernel?.stop());

async function scrape(target: TestKernel): Promise<string> {
  return withoutNode(await (await target.fetch("/metrics")).text());
}

it("exports the frame timings shells reported as a summary in seconds", async () => {
  kernel = await createTestKernel({ plugins: [SHELL_DIR, METRICS_DIR] });
  const reported = await kernel.fetch("/shell/api/timings", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ initToReady: [4, 6, 8] }),
  });
  expect(reported.status).toBe(204);
  const text = await scrape(kernel);
  expect(text).toContain("# TYPE buntime_shell_frame_init_to_ready_seconds summary");
  expect(text).toContain('buntime_shell_frame_init_to_ready_seconds{quantile="0.5"} 0.006\n');
  expect(text).toContain('buntime_shell_frame_init_to_ready_seconds{quantile="0.95"} 0.008\n');
  expect(text).toContain("buntime_shell_frame_init_to_ready_seconds_count 3\n");
});

it("writes no frame series without the shell", async () => {
  kernel = await createTestKernel({ plugins: [METRICS_DIR] });
  expect(await scrape(kernel)).not.toContain("buntime_shell_frame");
});
