import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BuntimeError, ERROR_CODES, type ErrorCode } from "@buntime/sdk";

const errorsPage = readFileSync(join(import.meta.dir, "..", "..", "..", "docs", "errors.md"), "utf8");
const codes = Object.keys(ERROR_CODES) as ErrorCode[];
/** Table rows of docs/errors.md as trimmed cells: code → status. */
const documentedStatus = new Map(
  errorsPage
    .split("\n")
    .map((line) => line.split("|").map((cell) => cell.trim()))
    .filter((cells) => cells[1]?.startsWith("`BUNTIME_ERR_"))
    .map((cells) => [cells[1]?.replaceAll("`", ""), Number(cells[2])]),
);

describe("error-code registry", () => {
  it.each(codes)("documents %s in docs/errors.md with its status", (code) => {
    expect(documentedStatus.get(code)).toBe(ERROR_CODES[code].status);
  });

  it("lists no code in docs/errors.md that the registry lacks", () => {
    const documented = [...errorsPage.matchAll(/`(BUNTIME_ERR_[A-Z_]+)`/g)].map((match) => match[1]);
    expect(documented.filter((code) => !(code && code in ERROR_CODES))).toEqual([]);
  });

  it("follows the BUNTIME_ERR_<AREA>_<PROBLEM> naming", () => {
    expect(codes.filter((code) => !/^BUNTIME_ERR_[A-Z]+(_[A-Z]+)*$/.test(code))).toEqual([]);
  });

  it("renders its message template and answers with its status as JSON", async () => {
    const error = new BuntimeError("BUNTIME_ERR_PLUGIN_IN_USE", { plugin: "storage", dependents: "auth" });
    expect(error.message).toBe("storage is needed by auth");
    const response = error.getResponse();
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: { code: "BUNTIME_ERR_PLUGIN_IN_USE", message: "storage is needed by auth" },
    });
  });
});
