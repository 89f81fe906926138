import { describe, expect, it } from "bun:test";
import { firstShellBlockCommands, missingShown, shellBlocks } from "../src/docs.ts";

const PAGE = [
  "# A page",
  "",
  "```sh",
  "npm install   # prose, not output",
  "```",
  "",
  "<!-- not-run: needs a Kubernetes cluster -->",
  "",
  "```sh",
  "kubectl get pods",
  "```",
  "",
  "```sh",
  "cat > a.json <<'JSON'",
  "{ # not a comment",
  "JSON",
  "curl -X POST localhost:8000/x \\",
  "  -d '{}'            # → {\"ok\":true}",
  "curl localhost:8000/y",
  "# → line one",
  "# a remark between",
  "# → line … three",
  "false",
  "# → exit 1",
  "for v in 1 2; do",
  "  echo $v",
  "done",
  "echo a &&",
  "  echo b",
  "```",
].join("\n");

describe("shellBlocks", () => {
  const blocks = shellBlocks(PAGE);

  it("finds every ```sh block with its fence line, and the not-run reason right before one", () => {
    expect(blocks.map((block) => [block.index, block.line, block.notRun])).toEqual([
      [1, 3, undefined],
      [2, 9, "needs a Kubernetes cluster"],
      [3, 13, undefined],
    ]);
  });

  it("keeps continuation lines and here-documents with their command, and reads # → as its output", () => {
    const commands = blocks[2]?.commands ?? [];
    expect(commands.map((command) => command.line)).toEqual([14, 17, 19, 23, 25, 28]);
    expect(commands[4]?.text).toBe("for v in 1 2; do\n  echo $v\ndone");
    expect(commands[5]?.text).toBe("echo a &&\n  echo b");
    expect(commands[0]?.text).toBe("cat > a.json <<'JSON'\n{ # not a comment\nJSON");
    expect(commands[0]?.shown).toEqual([]);
    expect(commands[1]?.shown).toEqual(['{"ok":true}']);
    expect(commands[2]?.shown).toEqual(["line one", "line … three"]);
    expect(commands.map((command) => command.exit)).toEqual([0, 0, 0, 1, 0, 0]);
  });

  it("does not take a prose comment for output", () => {
    expect(blocks[0]?.commands[0]?.shown).toEqual([]);
  });

  it("refuses a not-run marker without a reason, an output before any command and an open block", () => {
    expect(() => shellBlocks("<!-- not-run: -->\n```sh\nls\n```")).toThrow("without a reason");
    expect(() => shellBlocks("```sh\n# → 1\n```")).toThrow('line 2: a "# →" output line before any command');
    expect(() => shellBlocks("```sh\nls\n")).toThrow("line 1: a ```sh block that is never closed");
  });
});

describe("missingShown", () => {
  it("matches each shown line somewhere in the output, in order, … standing for anything", () => {
    const output = 'HTTP/1.1 401\n{"status":"ok","version":"0.1.0","uptimeMs":3}\n';
    expect(missingShown(["401", '{"status":"ok",…}'], output)).toBeUndefined();
    expect(missingShown(["200 200 200 200 429 429"], "200 200 200 200 200 429 ")).toBe(
      "200 200 200 200 429 429",
    );
    expect(missingShown(['{"status":"ok"', "401"], output)).toBe("401");
    expect(missingShown(["a.b"], "axb")).toBe("a.b");
  });
});

describe("firstShellBlockCommands", () => {
  it("reads the first block's commands without their comments", () => {
    expect(firstShellBlockCommands(PAGE)).toEqual(["npm install"]);
  });
});
