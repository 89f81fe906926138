import { describe, expect, it } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { workerScript } from "../../src/pool/main/worker-script.ts";

describe("the worker script", () => {
  it("is one precompiled CommonJS bundle with its bytecode cache beside it", async () => {
    const script = await workerScript();
    expect(script.endsWith(".js")).toBe(true);
    expect(readFileSync(script, "utf8").startsWith("// @bun @bytecode @bun-cjs")).toBe(true);
    expect(existsSync(`${script}.jsc`)).toBe(true);
  });

  it("is bundled once per process", async () => {
    expect(await workerScript()).toBe(await workerScript());
  });
});
