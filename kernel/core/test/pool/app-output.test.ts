/**
 * What an app writes and throws reaches the kernel's log in both tiers: console lines and
 * uncaught errors under `app:<name>` with the app, version and request id, and a syntax error's
 * file, line and message in the worker's failure.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogEntry } from "@buntime/sdk";
import { createLogger } from "../../src/logger.ts";
import { call, eventually, fixture, TIERS, testPool } from "./helpers.ts";

describe.each(TIERS)("an app's output in the %s tier", (isolation) => {
  const lines: LogEntry[] = [];
  const pool = testPool({ logger: createLogger({ level: "debug", sink: (entry) => lines.push(entry) }) });
  const scratch = mkdtempSync(join(tmpdir(), "buntime-output-"));
  chmodSync(scratch, 0o711); // the sandbox's user passes through it to the app
  afterAll(async () => {
    await pool.shutdown();
    rmSync(scratch, { recursive: true, force: true });
  });
  const app = fixture("console", { isolation, version: "1.2.3" });
  const ofRequest = (rid: string) => lines.filter((line) => line.fields?.requestId === rid);

  it("logs console lines under app:<name> with app, version and request id, across awaits", async () => {
    const response = await call(pool, app, "/", { headers: { "x-request-id": "rid-log-1" } });
    expect(response.text).toBe("logged");
    expect(await eventually(() => ofRequest("rid-log-1").length === 2)).toBe(true);
    const [hello, warned] = ofRequest("rid-log-1");
    expect(hello).toMatchObject({
      namespace: "app:console",
      level: "info",
      message: "hello from the app { n: 1 }",
    });
    expect(hello?.fields).toMatchObject({ app: "console", version: "1.2.3" });
    expect(warned).toMatchObject({ level: "warn", message: "still the same request after an await" });
  });

  it("logs a handler's error with its stack and the request id; the client gets 502", async () => {
    const { status } = await call(pool, app, "/throw", { headers: { "x-request-id": "rid-throw" } });
    expect(status).toBe(502);
    expect(await eventually(() => ofRequest("rid-throw").length === 1)).toBe(true);
    const [logged] = ofRequest("rid-throw");
    expect(logged?.level).toBe("error");
    expect(logged?.message).toContain("handler failed on purpose");
    expect(logged?.message).toContain("index.ts:5");
  });

  it("logs an error thrown later from a timer under the request that started it, and says why the worker ended", async () => {
    const timer = fixture("console", { isolation, version: "1.2.4", timeout: 5000 });
    const { status, text } = await call(pool, timer, "/timer", { headers: { "x-request-id": "rid-timer" } });
    expect(status).toBe(502);
    expect(text).toContain("escaped from a timer");
    expect(await eventually(() => ofRequest("rid-timer").length === 1)).toBe(true);
    expect(ofRequest("rid-timer")[0]?.message).toContain("escaped from a timer");
  });

  it("names the file, line and parser message of a syntax error in the failure and the log", async () => {
    const dir = join(scratch, `syntax-${isolation}`);
    rmSync(dir, { recursive: true, force: true });
    await Bun.write(
      join(dir, "index.ts"),
      'export default {\n  fetch() { return new Response("x") }\n  oops oops\n};\n',
    );
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "broken", version: "0.0.1" }));
    const broken = { name: "broken", version: "0.0.1", entry: join(dir, "index.ts"), dir, isolation };
    const { status, text } = await call(pool, broken);
    expect(status).toBe(502);
    expect(text).toMatch(/index\.ts:3:\d+: Expected/);
    const ended = await eventually(() =>
      lines.some((line) => String(line.fields?.failure ?? "").match(/index\.ts:3:\d+: Expected/) !== null),
    );
    expect(ended).toBe(true);
  });
});
