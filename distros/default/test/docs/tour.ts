/**
 * The docs runner's reader: a temp folder laid out like the checkout a reader types the docs'
 * commands in (the scripts of the root package.json, `docs/`, `shell/`, `plugins/`, `distros/`,
 * node_modules as links to its packages), with `buntime` on PATH, and at most one default
 * distribution started there by the first `npm start` a page shows, shared by every page after it.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { DocCommand } from "@buntime/test-kit/docs";
import { untilListening } from "@buntime/test-kit/listening";
import { freeLoopbackPort } from "@buntime/test-kit/ports";

/** The checkout the docs describe. */
export const REPO = resolve(import.meta.dir, "../../../..");

/** A command that starts the default distribution as the docs show it: `[VAR=value ...] npm start [&]`. */
const NPM_START = /^((?:[A-Z_][A-Z0-9_]*=(?:'[^']*'|"[^"]*"|\S+)\s+)*)npm start(?:\s*&)?\s*(?:#.*)?$/;

/**
 * node_modules as folders of links to the checkout's packages: imports resolve as in the checkout,
 * and an `npm install` a page shows here replaces links, never the checkout's files.
 */
function linkModules(from: string, to: string): void {
  mkdirSync(to);
  for (const name of readdirSync(from)) {
    if (name === ".package-lock.json" || name === ".cache") continue;
    if (name.startsWith("@") || name === ".bin") linkModules(join(from, name), join(to, name));
    else symlinkSync(join(from, name), join(to, name));
  }
}

/** How long the distribution may live: past the docs suite's 15 minutes, it is a leftover. */
const DISTRIBUTION_LIFETIME_MS = 20 * 60_000;

/**
 * A command prefix: a process group of its own, killed whole at the deadline by `timeout` (which
 * signals its group), so nothing outlives it even when the test process itself is killed.
 */
function bounded(ms: number): string[] {
  return ["setsid", "timeout", "-s", "KILL", `${Math.ceil(ms / 1000)}s`];
}

/** Signals a process group started by `setsid`; nothing when it is gone already. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** What one block's run printed, split by command. */
export interface CommandRun {
  readonly command: DocCommand;
  readonly output: string;
  readonly exit: number;
}

/** The reader's folder and the distribution the docs started in it, if any. */
export class Tour {
  readonly dir = mkdtempSync(join(tmpdir(), "buntime-docs-"));
  /** The docs' `/tmp/`: outside the reader's folder, as /tmp is outside a checkout. */
  private readonly tmp = mkdtempSync(join(tmpdir(), "buntime-docs-tmp-"));
  /** Where each block's output is written (see `script`). */
  private readonly outputs = mkdtempSync(join(tmpdir(), "buntime-docs-out-"));
  private blocksRun = 0;
  /** `localhost:8000` and `127.0.0.1:4873` of the docs, once the distribution runs. */
  kernel?: string;
  registry?: string;
  private distribution?: ReturnType<typeof Bun.spawn>;
  /** The `npm start` line that started it. */
  private started?: string;
  private readonly env: Record<string, string>;
  private readonly ports = new Map<string, string>();
  private page = "";

  constructor() {
    chmodSync(this.dir, 0o755); // as a checkout is: the process tier's sandbox user passes through it
    const root = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    // the root scripts, run from this folder: `bun <repo>/...`
    const scripts = Object.fromEntries(
      Object.entries(root.scripts).map(([name, line]) => [name, line.replace(/ (?=[\w-]+\/)/g, ` ${REPO}/`)]),
    );
    writeFileSync(join(this.dir, "package.json"), JSON.stringify({ name: "reader", private: true, scripts }));
    for (const name of ["docs", "shell", "plugins", "distros"]) {
      symlinkSync(join(REPO, name), join(this.dir, name));
    }
    linkModules(join(REPO, "node_modules"), join(this.dir, "node_modules"));
    const bin = join(this.dir, ".bin");
    mkdirSync(bin);
    const cli = join(REPO, "kernel/cli/bin/buntime.ts");
    writeFileSync(join(bin, "buntime"), `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`);
    chmodSync(join(bin, "buntime"), 0o755);
    mkdirSync(join(this.dir, ".user"));
    // the reader's own global npm folder (`npm install -g`), never the machine's
    const global = join(this.dir, ".user", "npm-global");
    this.env = {
      PATH: `${bin}:${join(REPO, "node_modules/.bin")}:${join(global, "bin")}:/usr/local/bin:/usr/bin:/bin`,
      NPM_CONFIG_PREFIX: global,
      // a reader's machine has npm's and bun's download caches warm: the test machine's
      NPM_CONFIG_CACHE: join(homedir(), ".npm"),
      BUN_INSTALL_CACHE_DIR: join(homedir(), ".bun", "install", "cache"),
      HOME: join(this.dir, ".user"),
      USER: "reader",
      NO_COLOR: "1",
    };
  }

  /** Turns to `page`: each page's `/tmp/` is its own, as pages are read on different days. */
  read(page: string): void {
    this.page = page.replace(/\W+/g, "-");
    mkdirSync(join(this.tmp, this.page), { recursive: true });
  }

  /**
   * The docs' addresses made this tour's: `localhost:8000` and `127.0.0.1:4873` the started
   * distribution's, any other port shown (`:8001`, `--port 8200`) a free one, `/tmp/` a folder of
   * the page's outside this one.
   */
  localize(text: string): string {
    const port = (shown: string) => {
      if (shown === "8000" && this.kernel) return this.kernel.split(":")[1] as string;
      if (shown === "4873" && this.registry) return this.registry.split(":")[1] as string;
      if (shown === "0" || shown === "8000" || shown === "4873") return shown;
      const mapped = this.ports.get(shown) ?? String(freeLoopbackPort());
      this.ports.set(shown, mapped);
      return mapped;
    };
    return text
      .replace(/\b(localhost|127\.0\.0\.1):(\d{4})\b/g, (_, host, shown) => `${host}:${port(shown)}`)
      .replace(/--port([ =])(\d+)\b/g, (_, sep, shown) => `--port${sep}${port(shown)}`)
      .replace(/(^|[\s'"=@])\/tmp(?=[/\s;&)]|$)/gm, `$1${this.tmp}/${this.page}`);
  }

  /** Starts the distribution as `line` shows it (its variables too), on free ports; once. */
  private async start(line: string): Promise<string | { refused: string }> {
    const settings = (text: string) => NPM_START.exec(text)?.[1]?.trim() ?? "";
    if (this.started !== undefined) {
      // a plain `npm start` is any running distribution; one with other settings is another one
      return !settings(line) || settings(line) === settings(this.started)
        ? "(running already)\n"
        : {
            refused: `the distribution runs already, started by \`${this.started}\`: one per run of the docs\n`,
          };
    }
    this.started = line;
    // its registry on a free port stands for 127.0.0.1:4873, the CLI's default: the blocks' CLI
    // commands are told; the distribution is not, as npm start tells its kernel the port itself
    const registryPort = freeLoopbackPort();
    this.registry = `127.0.0.1:${registryPort}`;
    const distributionEnv = { ...this.env };
    this.env.BUNTIME_REGISTRY = `http://${this.registry}/`;
    const child = Bun.spawn(
      [
        ...bounded(DISTRIBUTION_LIFETIME_MS),
        "/bin/sh",
        "-c",
        `${line.replace(/\s*&?\s*(#.*)?$/, "")} -- --port 0 --registry-port ${registryPort}`,
      ],
      { cwd: this.dir, env: distributionEnv, stdout: "pipe", stderr: "ignore" },
    );
    this.distribution = child;
    const { url, output } = await untilListening(child.stdout as ReadableStream<Uint8Array>, 120_000);
    this.kernel = url.host;
    const log = (child.stdout as ReadableStream<Uint8Array>).getReader();
    void (async () => {
      while (!(await log.read()).done); // keep draining its log, so it never blocks on a full pipe
    })();
    return output;
  }

  /** Runs a block's commands in this folder, in one shell (variables carry over), within `timeoutMs`. */
  async run(commands: readonly DocCommand[], timeoutMs: number): Promise<CommandRun[]> {
    const runs: CommandRun[] = [];
    let segment: DocCommand[] = [];
    const flush = async () => {
      if (segment.length) runs.push(...(await this.script(segment, timeoutMs)));
      segment = [];
    };
    // a page read on its own assumes the distribution getting-started.md starts: `npm start`
    const starts = commands.some((command) => NPM_START.test(command.text.trim()));
    if (this.started === undefined && !starts) await this.start("npm start");
    for (const command of commands) {
      if (!NPM_START.test(command.text.trim())) {
        segment.push(command);
        continue;
      }
      await flush();
      const started = await this.start(command.text.trim());
      runs.push(
        typeof started === "string"
          ? { command, output: started, exit: 0 }
          : { command, output: started.refused, exit: 1 },
      );
    }
    await flush();
    return runs;
  }

  private async script(commands: readonly DocCommand[], timeoutMs: number): Promise<CommandRun[]> {
    // a marker with the previous command's status before each command, to split the output by
    // command; at the end, whatever the block left running in the background (`... &`) is stopped:
    // TERM, then KILL a second later for what ignores it (the shell goes too, its output written)
    const body = commands.map(
      (command, i) => `printf '@@docs %d %d@@\\n' ${i} $?\n${this.localize(command.text)}`,
    );
    const end =
      "printf '@@docs end %d@@\\n' $?\ntrap '' TERM\nkill -TERM 0 2>/dev/null\nsleep 1\nkill -KILL 0\n";
    // Output goes to a regular file, not a pipe: a Bun process writing to its stdout sets
    // O_NONBLOCK on it, for every command sharing it, and a full pipe then fails their writes
    // (curl exit 23); a file takes every write.
    const outputFile = join(this.outputs, `block-${++this.blocksRun}.out`);
    const child = Bun.spawn(
      [...bounded(timeoutMs), "/bin/bash", "-c", `exec 2>&1\n${body.join("\n")}\n${end}`],
      {
        cwd: this.dir,
        env: this.env,
        stdout: Bun.file(outputFile),
        stderr: "ignore",
      },
    );
    const timer = setTimeout(() => killGroup(child.pid, "SIGKILL"), timeoutMs);
    await child.exited;
    clearTimeout(timer);
    const stdout = readFileSync(outputFile, "utf8");
    rmSync(outputFile);
    const parts = stdout.split(/@@docs (?:\d+|end) (\d+)@@\n/);
    // parts: [before, status, out0, status0, out1, ...]: command i's output is parts[2 + 2i], its status parts[3 + 2i]
    return commands.map((command, i) => {
      const status = parts[3 + 2 * i];
      return { command, output: parts[2 + 2 * i] ?? "", exit: status === undefined ? -1 : Number(status) };
    });
  }

  /**
   * What the reader's commands left at the top of the folder, the checkout's root for a reader
   * (a folder with a `/`): everything but the layout this tour made.
   */
  leftBehind(): string[] {
    const layout = new Set([
      "package.json",
      "docs",
      "shell",
      "plugins",
      "distros",
      "node_modules",
      ".bin",
      ".user",
    ]);
    return readdirSync(this.dir, { withFileTypes: true })
      .filter((entry) => !layout.has(entry.name))
      .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name))
      .sort();
  }

  /** Stops the distribution (its whole process group) and removes the folder. */
  async close(): Promise<void> {
    const child = this.distribution;
    if (child) {
      killGroup(child.pid, "SIGTERM");
      await Promise.race([child.exited, Bun.sleep(10_000)]);
      killGroup(child.pid, "SIGKILL"); // npm and its shell, if they outlive the distribution
    }
    for (const dir of [this.dir, this.tmp, this.outputs])
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}
