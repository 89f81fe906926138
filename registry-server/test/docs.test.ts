import { describe, expect, it } from "bun:test";
import { ERROR_CODES } from "@buntime/sdk";

const docs = await Bun.file(new URL("../../docs/registry.md", import.meta.url)).text();

describe("docs/registry.md", () => {
  const codes = Object.entries(ERROR_CODES).filter(([code]) => code.startsWith("BUNTIME_ERR_REGISTRY_"));

  it.each(codes)("documents %s with its HTTP status", (code, spec) => {
    expect(docs).toContain(`| \`${code}\` | ${spec.status} |`);
  });
});
