/**
 * @buntime/test-kit/docs: the commands of the docs' ```sh blocks, read the way the docs runner
 * runs them (docs/contributing-docs.md has the convention): a block is run unless the line
 * before it says `<!-- not-run: <reason> -->`, and a `# → <text>` comment, at the end of a
 * command or on the lines after it, is that command's shown output.
 */

/** The commands of a page's first ```sh block, one per line, comments dropped: what a reader types. */
export function firstShellBlockCommands(markdown: string): string[] {
  const block = /```sh\n([\s\S]*?)```/.exec(markdown)?.[1] ?? "";
  return block
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter(Boolean);
}

/** One command of a block: its lines as written and the output the page shows for it. */
export interface DocCommand {
  /** The command as written: continuation lines and here-document bodies included. */
  readonly text: string;
  /** Its first line's number in the page (1-based). */
  readonly line: number;
  /** Its `# →` lines, in order: each must appear in its output (`…` stands for anything). */
  readonly shown: string[];
  /** The exit status the page shows (`# → exit <n>`); 0 when it shows none. */
  readonly exit: number;
}

/** One ```sh block of a page. */
export interface ShellBlock {
  /** 1-based position among the page's ```sh blocks: `page.md#2` names the second. */
  readonly index: number;
  /** The line of its opening fence (1-based). */
  readonly line: number;
  /** Why the page does not let it be run (`<!-- not-run: why -->` right before it), if so. */
  readonly notRun?: string;
  readonly commands: DocCommand[];
}

const NOT_RUN = /^<!--\s*not-run:\s*(.*?)\s*-->$/;
const SHOWN = /(?:^|\s)#\s→\s?(.*)$/;
const HEREDOC = /<<-?\s*['"]?([A-Za-z_]\w*)['"]?/;
/** Words that open and close a compound command (`for … do … done`, `if … then … fi`). */
const OPENS = /(?:^|[;&|\s])(?:do|then)(?=\s|;|$)/g;
const CLOSES = /(?:^|[;&|\s])(?:done|fi)(?=\s|;|$)/g;

interface Draft {
  text: string[];
  line: number;
  shown: string[];
  exit: number;
}

function addShown(command: Draft | undefined, text: string, where: number): void {
  if (!command) throw new Error(`line ${where}: a "# →" output line before any command`);
  const exit = /^exit (\d+)$/.exec(text.trim());
  if (exit) command.exit = Number(exit[1]);
  else command.shown.push(text.trim());
}

/** Splits a block's lines into commands: continuation lines and here-documents stay with theirs. */
function commandsOf(lines: string[], firstLine: number): DocCommand[] {
  const commands: Draft[] = [];
  let current: Draft | undefined;
  let continued = false;
  let depth = 0; // inside a compound command: its lines are one command
  let heredoc: string | undefined;
  lines.forEach((line, offset) => {
    const where = firstLine + offset;
    if (heredoc !== undefined && current) {
      current.text.push(line);
      if (line.trim() === heredoc) heredoc = undefined;
      return;
    }
    const trimmed = line.trim();
    if (trimmed.startsWith("#")) {
      const shown = SHOWN.exec(trimmed);
      if (shown) addShown(current, shown[1] ?? "", where);
      continued = depth > 0;
      return;
    }
    if (!trimmed) {
      continued = depth > 0;
      return;
    }
    if (!continued || !current) {
      current = { text: [], line: where, shown: [], exit: 0 };
      commands.push(current);
    }
    current.text.push(line);
    const shown = SHOWN.exec(line);
    if (shown) addShown(current, shown[1] ?? "", where);
    const code = line.replace(/\s#\s.*$/, "").trimEnd();
    depth = Math.max(0, depth + (code.match(OPENS)?.length ?? 0) - (code.match(CLOSES)?.length ?? 0));
    continued = depth > 0 || /(\\|\|\||&&|\|)$/.test(code);
    heredoc = HEREDOC.exec(code)?.[1];
  });
  return commands.map((draft) => ({ ...draft, text: draft.text.join("\n") }));
}

/** Every ```sh block of a page, with its commands and shown outputs, in page order. */
export function shellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split("\n");
  const blocks: ShellBlock[] = [];
  for (let at = 0; at < lines.length; at++) {
    if (!/^```sh\s*$/.test(lines[at] ?? "")) continue;
    const end = lines.findIndex((line, i) => i > at && /^```\s*$/.test(line));
    if (end < 0) throw new Error(`line ${at + 1}: a \`\`\`sh block that is never closed`);
    let before = at - 1;
    while (before >= 0 && !lines[before]?.trim()) before--;
    const notRun = NOT_RUN.exec(lines[before]?.trim() ?? "")?.[1];
    if (notRun === "") throw new Error(`line ${before + 1}: a not-run marker without a reason`);
    blocks.push({
      index: blocks.length + 1,
      line: at + 1,
      ...(notRun === undefined ? {} : { notRun }),
      commands: commandsOf(lines.slice(at + 1, end), at + 2),
    });
    at = end;
  }
  return blocks;
}

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Whether `output` shows every line of `shown`, in order, each anywhere on the output (`…` in a
 * shown line stands for any text). The first line missing is returned, or undefined when all match.
 */
export function missingShown(shown: readonly string[], output: string): string | undefined {
  let from = 0;
  for (const expected of shown) {
    const pattern = new RegExp(expected.split("…").map(literal).join("[\\s\\S]*?"));
    const found = pattern.exec(output.slice(from));
    if (!found) return expected;
    from += found.index + found[0].length;
  }
  return undefined;
}
