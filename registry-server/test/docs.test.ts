import { describe, expect, it } from "bun:test";
import { ERROR_CODES } from "@buntime/sdk";

const docs = await Bun.file(new URL("../../docs/registry.md", import.meta.url)).text();

describe("docs/registry.md", () => {
  const codes = Object.entries(ERROR_CODES).filter(([code]) => code.startsWith("BUNTIME_ERR_REGISTRY_"));

  it.each(codes)("documents %s with its HTTP status", (code, spec) => {
    const row = new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*${spec.status}\\s*\\|`, "m");
    expect(row.test(docs)).toBe(true);
  });
});
