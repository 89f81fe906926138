import { afterEach, describe, expect, it, spyOn } from "bun:test";
import { type SystemTool, skipWithoutSystemTool } from "@buntime/test-kit/system";

const savedCi = process.env.CI;
afterEach(() => {
  if (savedCi === undefined) delete process.env.CI;
  else process.env.CI = savedCi;
});

/** Runs the check with CI set or not; returns its answer and what it printed. */
function check(tool: SystemTool, ci: boolean) {
  if (ci) process.env.CI = "1";
  else delete process.env.CI;
  const warn = spyOn(console, "warn").mockImplementation(() => {});
  const error = spyOn(console, "error").mockImplementation(() => {});
  try {
    const skip = skipWithoutSystemTool(tool);
    return { skip, warned: warn.mock.calls.map(String), errored: error.mock.calls.map(String) };
  } finally {
    warn.mockRestore();
    error.mockRestore();
  }
}

const missingCommand = { command: "buntime-no-such-tool", debianPackage: "no-such-package" };
const missingPath = { path: "/nonexistent/bin/no-such-browser", debianPackage: "no-such-browser" };

describe("skipWithoutSystemTool", () => {
  it.each([
    ["a command on PATH", { command: "sh", debianPackage: "dash" }],
    ["a file that exists", { path: "/bin/sh", debianPackage: "dash" }],
  ] as const)("runs the tests quietly when %s is there", (_, tool) => {
    for (const ci of [false, true]) expect(check(tool, ci)).toEqual({ skip: false, warned: [], errored: [] });
  });

  it.each([
    ["a command", missingCommand, "skipped: needs buntime-no-such-tool (apt-get install no-such-package)"],
    ["a file", missingPath, "skipped: needs no-such-browser (apt-get install no-such-browser)"],
  ] as const)("skips with one line naming the Debian package when %s is missing", (_, tool, line) => {
    expect(check(tool, false)).toEqual({ skip: true, warned: [line], errored: [] });
  });

  it("does not skip under CI, so the tests fail on the missing tool, and says why", () => {
    expect(check(missingCommand, true)).toEqual({
      skip: false,
      warned: [],
      errored: ["missing under CI: needs buntime-no-such-tool (apt-get install no-such-package)"],
    });
  });
});
