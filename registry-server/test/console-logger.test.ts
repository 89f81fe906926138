import { afterEach, describe, expect, it } from "bun:test";
import { hostname } from "node:os";
import { createConsoleLogger } from "@buntime/registry-server";

const realError = console.error;
afterEach(() => {
  console.error = realError;
});

describe("the registry's console logger", () => {
  it("writes the kernel's JSON line shape: time, level, msg, node, ns, then requestId, code, error and the rest", () => {
    const lines: string[] = [];
    console.error = (line: string) => lines.push(String(line));
    const logger = createConsoleLogger().child("http");
    const cause = Object.assign(new Error("disk full"), { code: "BUNTIME_ERR_REGISTRY_STORAGE_FAILED" });
    logger.error("publish failed", {
      requestId: "r-1",
      code: "BUNTIME_ERR_REGISTRY_STORAGE_FAILED",
      cause,
      msg: "spoof",
      package: "left-pad",
    });
    logger.info("ready");
    logger.debug("not shown");
    // only this logger's lines: anything else still running may write to console.error meanwhile
    const own = lines.filter((line) => line.includes('"ns":"registry:http"'));
    const [first, second] = own.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(own).toHaveLength(2);
    expect(Object.keys(first ?? {}).slice(0, 5)).toEqual(["time", "level", "msg", "node", "ns"]);
    expect(first).toMatchObject({
      level: "error",
      msg: "publish failed",
      node: process.env.BUNTIME_NODE || hostname(),
      ns: "registry:http",
      requestId: "r-1",
      code: "BUNTIME_ERR_REGISTRY_STORAGE_FAILED",
      error: { name: "Error", message: "disk full", code: "BUNTIME_ERR_REGISTRY_STORAGE_FAILED" },
      package: "left-pad",
      fields: { msg: "spoof" },
    });
    expect(second).toMatchObject({ level: "info", msg: "ready", ns: "registry:http" });
  });

  it("names the node it is given", () => {
    const lines: string[] = [];
    console.error = (line: string) => lines.push(line);
    createConsoleLogger("registry", "node-b").warn("w");
    const own = lines.find((line) => line.includes('"node":"node-b"'));
    expect(JSON.parse(own ?? "{}")).toMatchObject({ node: "node-b", ns: "registry", msg: "w" });
  });
});
