/**
 * The docs runner: every ```sh block of README.md and docs/**\/*.md is run as written, in page
 * order, by one reader in a temp folder (./tour.ts), and each command's shown output (`# →`)
 * must appear in what it printed; the convention is docs/contributing-docs.md. A block a page
 * marks `<!-- not-run: why -->` is listed with its reason, never silently skipped; blocks on
 * pages this runner cannot edit wait in ./known.ts.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { missingShown, type ShellBlock, shellBlocks } from "@buntime/test-kit/docs";
import { type SystemTool, skipWithoutSystemTool } from "@buntime/test-kit/system";
import { KNOWN_FAILING, PENDING_NOT_RUN } from "./known.ts";
import { REPO, Tour } from "./tour.ts";

/** The files biome checks, by extension. */
const LINTED_KINDS = /\.(?:[cm]?[jt]sx?|jsonc?|css|graphql|html)$/;

/** Each block's bound: a block is a few commands against local servers. */
const BLOCK_TIMEOUT_MS = 180_000;

const pages = [
  "README.md",
  ...[...new Bun.Glob("docs/**/*.md").scanSync({ cwd: REPO })]
    .filter((p) => !p.includes("node_modules"))
    .sort(),
];
/** `DOCS_PAGES=README.md,docs/router.md` runs those pages alone, for a writer checking a page. */
const only = process.env.DOCS_PAGES?.split(",");
const blocks = pages
  .filter((page) => !only || only.includes(page))
  .map((page) => ({
    page,
    blocks: shellBlocks(readFileSync(join(REPO, page), "utf8")),
  }));
const tour = new Tour();
afterAll(() => tour.close());

/** The system tools blocks call, by what their commands say, and the Debian package of each. */
const TOOLS: [RegExp, SystemTool][] = [
  [/\bcurl\b/, { command: "curl", debianPackage: "curl" }],
  [/\bopenssl\b/, { command: "openssl", debianPackage: "openssl" }],
  [/"isolation": "process"/, { command: "bwrap", debianPackage: "bubblewrap" }],
];

/** Whether a block must skip for a missing tool (with a line naming it; never under CI). */
function lacksTools(block: ShellBlock): boolean {
  const text = block.commands.map((command) => command.text).join("\n");
  return TOOLS.filter(([calls]) => calls.test(text)).some(([, tool]) => skipWithoutSystemTool(tool));
}

/** What went wrong in a block's run, or undefined when every command printed what the page shows. */
async function failureOf(page: string, block: ShellBlock): Promise<string | undefined> {
  tour.read(page);
  const runs = await tour.run(block.commands, BLOCK_TIMEOUT_MS);
  for (const run of runs) {
    const where = `line ${run.command.line}: ${run.command.text.split("\n")[0]}`;
    if (process.env.DOCS_VERBOSE) console.log(`${page} ${where}\n${run.output}`);
    if (run.exit === -1) {
      return `${where}\n  did not finish (within ${BLOCK_TIMEOUT_MS} ms, or its shell was killed); it printed:\n${run.output}`;
    }
    if (run.exit !== run.command.exit) {
      return `${where}\n  exited ${run.exit}, the page shows ${run.command.exit}; it printed:\n${run.output}`;
    }
    const missing = missingShown(
      run.command.shown.map((line) => tour.localize(line)),
      run.output,
    );
    if (missing !== undefined) return `${where}\n  the page shows "${missing}"; it printed:\n${run.output}`;
  }
  return undefined;
}

for (const { page, blocks: list } of blocks) {
  const runnable = list.filter((block) => !block.notRun && !PENDING_NOT_RUN[`${page}#${block.index}`]);
  if (!runnable.length) continue;
  describe(page, () => {
    for (const block of runnable) {
      const id = `${page}#${block.index}`;
      const known = KNOWN_FAILING[id];
      it.skipIf(lacksTools(block))(
        `${id} (line ${block.line})${known ? " fails as known" : ""}`,
        async () => {
          const failure = await failureOf(page, block);
          if (known) {
            // a known failure that now passes must leave the list, so the list stays true
            expect(failure === undefined ? `${id} passes now: remove it from KNOWN_FAILING` : "fails").toBe(
              "fails",
            );
          } else {
            expect(failure).toBeUndefined();
          }
        },
        BLOCK_TIMEOUT_MS + 10_000,
      );
    }
  });
}

describe("the blocks not run", () => {
  it("are each listed with a reason, and the lists name only blocks that exist", () => {
    const notRun = blocks.flatMap(({ page, blocks: list }) =>
      list.flatMap((block) => {
        const reason = block.notRun ?? PENDING_NOT_RUN[`${page}#${block.index}`];
        return reason ? [`${page}#${block.index} (line ${block.line}): ${reason}`] : [];
      }),
    );
    const ids = new Set(
      pages.flatMap((page) =>
        shellBlocks(readFileSync(join(REPO, page), "utf8")).map((b) => `${page}#${b.index}`),
      ),
    );
    for (const id of [...Object.keys(KNOWN_FAILING), ...Object.keys(PENDING_NOT_RUN)])
      expect(ids).toContain(id);
    const total = blocks.reduce((sum, { blocks: list }) => sum + list.length, 0);
    const known = Object.keys(KNOWN_FAILING).length;
    console.log(
      `docs: ${total} sh blocks, ${total - notRun.length} run (${known} failing as known), ${notRun.length} not run:\n  ${notRun.join("\n  ")}`,
    );
    expect(notRun.every((line) => !line.endsWith(": "))).toBe(true);
  });
});

describe("following the docs in the checkout", () => {
  it("leaves only files npm test's lint skips (the checkout's .gitignore)", () => {
    // folders, and the files biome reads (it skips unknown kinds: a cookie jar, a tarball)
    const left = tour.leftBehind().filter((path) => path.endsWith("/") || LINTED_KINDS.test(path));
    const check = Bun.spawnSync(["git", "-C", REPO, "check-ignore", "--no-index", "--stdin"], {
      stdin: new TextEncoder().encode(left.join("\n")),
    });
    const ignored = new Set(check.stdout.toString().split("\n").filter(Boolean));
    expect(left.filter((path) => !ignored.has(path))).toEqual([]);
  });

  it("leaves no folder whose tests npm test would run as the repo's (bunfig.toml's pathIgnorePatterns)", () => {
    const bunfig = Bun.TOML.parse(readFileSync(join(REPO, "bunfig.toml"), "utf8")) as {
      test: { pathIgnorePatterns: string[] };
    };
    // bun test skips hidden folders (.buntime/) by itself
    const folders = tour.leftBehind().filter((path) => path.endsWith("/") && !path.startsWith("."));
    const unignored = folders.filter((folder) => !bunfig.test.pathIgnorePatterns.includes(`${folder}**`));
    expect(unignored).toEqual([]);
  });
});
